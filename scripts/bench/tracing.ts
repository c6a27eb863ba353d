// Issue 5 benchmark: request throughput of the API with tracing on (exporting every span over OTLP/HTTP to a local
// receiver) against tracing off. Target: the drop is at most 10 %.
//
// `node scripts/bench/tracing.ts` (or `BENCH=tracing npm run bench`). The API runs as its own process
// (packages/api/src/main.ts) with its relay publishing to a 204 stub sidecar; the load generator (autocannon, 32
// connections) and the OTLP receiver run in this process. Two operations are loaded separately (a filtered, sorted
// list and a create, which also writes the outbox and is relayed). Runs alternate off/on three times each, 8 s per
// operation, and the medians are compared, so drift of the shared machine hits both sides alike.
//
// BENCH_MODES compares tracing set-ups in the same interleaved run: a comma-separated list of `off`, `on` (the
// defaults) or `label:NAME=value+NAME=value` (tracing on with those variables for the API), e.g.
// `BENCH_MODES='off,json:OTEL_EXPORTER_OTLP_PROTOCOL=http/json,protobuf:OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf'`.
// Each mode is compared with the first. BENCH_API_NODE_OPTIONS: NODE_OPTIONS for the API only (e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof`: one profile per API process, written when it stops); BENCH_OPS=list runs
// one operation only.
import { fork } from "node:child_process"
import { join } from "node:path"
import { Effect } from "effect"
import { freePort } from "../../packages/runtime/src/EmbeddedPostgres.ts"
import { signUp } from "../../packages/testkit/src/ApiClient.ts"
import { startService } from "../../packages/testkit/src/Processes.ts"
import { processCpuSeconds } from "./support/cpu.ts"
import { saturate } from "./support/load.ts"
import { startSpanSink, tracingModes } from "./support/tracing.ts"
import { exec, freshDatabase, openServer } from "./support/postgres.ts"

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const MODES = tracingModes(process.env.BENCH_MODES ?? "off,on")
const API_NODE_OPTIONS = process.env.BENCH_API_NODE_OPTIONS
const CONNECTIONS = 32
const log = (line: string) => console.log(line)

const startStub = () =>
  new Promise<{ port: number; stop: () => void }>((resolve, reject) => {
    const child = fork(join(import.meta.dirname, "support", "dapr-stub.ts"), [], {
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    })
    child.stdout?.once("data", (d: Buffer) =>
      resolve({ port: JSON.parse(d.toString()).port, stop: () => child.kill() }),
    )
    child.once("error", reject)
  })

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const server = await openServer(log)
const db = await freshDatabase(server.url, "tracing")
const stub = await startStub()
const otlp = await startSpanSink()
try {
  const env = (mode?: (typeof MODES)[number]) => ({
    DATABASE_URL: db.url,
    BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    DAPR_HTTP_PORT: String(stub.port),
    AUTH_RATE_LIMIT_PER_IP: "100000",
    LOG_LEVEL: "warn",
    ...(mode?.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...mode.env } : {}),
    ...(mode && API_NODE_OPTIONS !== undefined ? { NODE_OPTIONS: API_NODE_OPTIONS } : {}),
  })
  // One user with 200 tasks; the load lists them (filter + sort) and creates new ones, half and half.
  const seed = await startService({
    script: "packages/api/src/main.ts",
    port: await Effect.runPromise(freePort),
    env: env(),
  })
  const user = await signUp(seed.url, "Bench")
  for (let i = 0; i < 200; i++) {
    await user.client.api.tasks.create({
      body: {
        title: `Seed ${i}`,
        priority: (["low", "medium", "high", "urgent"] as const)[i % 4]!,
        dueDate: new Date(Date.UTC(2031, 0, 1 + (i % 30))).toISOString(),
      },
    })
  }
  await seed.stop()

  // One operation per load run: autocannon's per-connection request pipeline stalls when GETs and POSTs alternate
  // on the same connection (the first version of this benchmark measured the load generator, not the API).
  const headers = { authorization: `Bearer ${user.token}`, "content-type": "application/json" }
  const operations = {
    list: () => ({
      method: "GET" as const,
      path: "/api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&limit=20",
      headers,
    }),
    create: (i: number) => ({
      method: "POST" as const,
      path: "/api/tasks",
      headers,
      body: JSON.stringify({ title: `Load ${i}`, tags: ["bench"] }),
    }),
  }
  type Op = keyof typeof operations
  // BENCH_OPS=list (or create): one operation only, e.g. for a profile of one kind of request.
  const ops = (process.env.BENCH_OPS?.split(",") ?? Object.keys(operations)) as Array<Op>

  // Throughput at saturation moves with whatever else the shared 2-core machine runs; the API process's own CPU per
  // request (from /proc) is the steadier figure, so both are reported.
  type Sample = { throughput: number; cpuMs: number }
  const results = Object.fromEntries(
    ops.map((op) => [op, Object.fromEntries(MODES.map((m) => [m.label, [] as Array<Sample>]))]),
  ) as Record<Op, Record<string, Array<Sample>>>
  for (let round = 0; round < ROUNDS; round++) {
    // Every other round in reverse order, so that a mode is not always the one after a given other.
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      const api = await startService({
        script: "packages/api/src/main.ts",
        port: await Effect.runPromise(freePort),
        env: env(mode),
      })
      for (const op of ops) {
        const request = operations[op]
        // The creates add thousands of rows between list runs; without fresh statistics the planner keeps
        // estimating the old table and picks a bitmap scan of every task of the user, and the list runs would
        // measure autovacuum's timing rather than tracing.
        await exec(db.url, "VACUUM ANALYZE tasks, outbox")
        await saturate({ origin: api.url, connections: CONNECTIONS, seconds: 2, request }) // warm-up
        const spansBefore = otlp.spans()
        const cpuBefore = processCpuSeconds(api.child.pid!) ?? 0
        const r = await saturate({ origin: api.url, connections: CONNECTIONS, seconds: SECONDS, request })
        const cpuMs = (((processCpuSeconds(api.child.pid!) ?? 0) - cpuBefore) * 1000) / Math.max(1, r.total)
        results[op][mode.label]!.push({ throughput: r.throughput, cpuMs })
        log(
          `round ${round + 1} ${op} tracing ${mode.label}: ${r.throughput.toFixed(0)} req/s, API CPU ${cpuMs.toFixed(3)} ms/request (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors})` +
            (mode.tracing ? `, ${otlp.spans() - spansBefore} spans received` : ""),
        )
      }
      await api.stop()
    }
  }
  log("")
  // "median (min – max)" of one figure over the rounds.
  const spread = (xs: ReadonlyArray<number>, digits: number) =>
    `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)} – ${Math.max(...xs).toFixed(digits)})`
  const [first, ...others] = MODES
  for (const op of ops) {
    const rate = (label: string) => results[op][label]!.map((x) => x.throughput)
    const cpu = (label: string) => results[op][label]!.map((x) => x.cpuMs)
    const a = first!.label
    for (const mode of others) {
      const m = mode.label
      const drop = (1 - median(rate(m)) / median(rate(a))) * 100
      const extra = (median(cpu(m)) / median(cpu(a)) - 1) * 100
      log(
        `${op}: median throughput ${a} ${spread(rate(a), 0)}, ${m} ${spread(rate(m), 0)} req/s → drop ${drop.toFixed(1)} % (target ≤ 10 %); ` +
          `API CPU per request ${a} ${spread(cpu(a), 3)}, ${m} ${spread(cpu(m), 3)} ms (+${extra.toFixed(1)} %)`,
      )
    }
  }
  log(
    `server: ${server.version}${server.embedded ? " (embedded)" : ""}; ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds`,
  )
} finally {
  stub.stop()
  await otlp.close()
  await db.drop()
  await server.close()
}
