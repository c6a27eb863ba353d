// The CPU that tracing costs per request, without the HTTP server or the database: each mode runs in its own child
// process, which makes the list request's spans (a server span with the attributes Effect's HTTP middleware records,
// and a `postgres` child with @effect/sql-pg's) at a fixed rate through the services' own TracingLive, exporting to
// a span sink in this process; the child's CPU time per request is compared across modes. Modes alternate, so
// drift of the shared machine hits all alike.
//
// Steadier than the API's CPU per request on a busy machine (no database, no load generator), so smaller
// differences show; what it leaves out (the HTTP middleware's URL parsing, the exporter's effect on the API's GC
// under load) only the API benchmark (tracing.ts) sees.
//
//   node scripts/bench/tracing-export.ts            (BENCH_ROUNDS=5, BENCH_SECONDS=4, BENCH_RATE=2000 per second)
//   BENCH_MODES as in tracing.ts, e.g. `off,on,batch:OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2048+OTEL_BSP_MAX_QUEUE_SIZE=8192`;
//   BENCH_SERVER_ATTRIBUTES=few (as a mode's variable) keeps only method and status on the server span.
import { fork } from "node:child_process"
import { Effect, Layer } from "effect"
import { TracingLive } from "../../packages/runtime/src/Telemetry.ts"
import { startSpanSink, tracingModes } from "./support/tracing.ts"

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const RATE = Number(process.env.BENCH_RATE ?? 2000)

if (process.argv[2] === "child") {
  const statement =
    'SELECT "id", "user_id", "title", "notes", "status", "priority", "due_date", "tags", "created_at", "updated_at", "completed_at", "recurrence" FROM "tasks" WHERE "user_id" = $1 AND "status" = $2 AND "priority" IN ($3, $4) ORDER BY "due_date" ASC NULLS LAST, "id" ASC LIMIT $5'
  const request = Effect.withSpan("postgres", {
    kind: "client",
    attributes: {
      "db.system.name": "postgresql",
      "db.namespace": "todo",
      "server.address": "127.0.0.1",
      "server.port": 5432,
      "db.query.text": statement,
      "db.operation.name": "SELECT",
    },
  })(Effect.void).pipe(
    Effect.withSpan("GET /api/tasks", {
      kind: "server",
      // BENCH_SERVER_ATTRIBUTES=few: only what Jaeger users read (method, route in the name, status).
      attributes:
        process.env.BENCH_SERVER_ATTRIBUTES === "few"
          ? {
              "http.request.method": "GET",
              "http.response.status_code": 200,
            }
          : {
              "http.request.method": "GET",
              "url.full":
                "http://127.0.0.1:40000/api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&limit=20",
              "url.path": "/api/tasks",
              "url.query": "status=open&priority=high&priority=urgent&sort=dueDate&limit=20",
              "url.scheme": "http",
              "server.address": "127.0.0.1",
              "server.port": 40000,
              "user_agent.original": "autocannon",
              "client.address": "127.0.0.1",
              "http.response.status_code": 200,
            },
    }),
  )
  const program = Effect.gen(function* () {
    const tick = 10 // ms: RATE / 100 requests per tick
    const perTick = Math.max(1, Math.round((RATE * tick) / 1000))
    const run = (until: number) =>
      Effect.gen(function* () {
        let count = 0
        while (Date.now() < until) {
          const started = Date.now()
          for (let i = 0; i < perTick; i++) yield* request
          count += perTick
          yield* Effect.sleep(Math.max(0, tick - (Date.now() - started)))
        }
        return count
      })
    yield* run(Date.now() + 1000) // warm-up
    const before = process.cpuUsage()
    const count = yield* run(Date.now() + SECONDS * 1000)
    const used = process.cpuUsage(before)
    process.send!({ count, cpuUs: used.user + used.system })
  })
  await Effect.runPromise(Effect.provide(program, Layer.fresh(TracingLive("bench"))))
  process.exit(0)
}

const MODES = tracingModes(process.env.BENCH_MODES ?? "off,on")

const sink = await startSpanSink()
const endpoint = sink.url

const once = (mode: (typeof MODES)[number]) =>
  new Promise<{ count: number; cpuUs: number }>((resolve, reject) => {
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _, ...inherited } = process.env
    const child = fork(import.meta.filename, ["child"], {
      env: {
        ...inherited,
        LOG_LEVEL: "warn",
        ...(mode.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...mode.env } : {}),
      },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    })
    child.once("message", (m) => resolve(m as { count: number; cpuUs: number }))
    child.once("exit", (code) => code !== 0 && reject(new Error(`child exited with ${code}`)))
  })

const results = new Map<string, Array<number>>(MODES.map((m) => [m.label, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
    const spansBefore = sink.spans()
    const r = await once(mode)
    const us = r.cpuUs / r.count
    results.get(mode.label)!.push(us)
    console.log(
      `round ${round + 1} ${mode.label}: ${r.count} requests, ${us.toFixed(1)} µs CPU per request` +
        (mode.tracing ? `, ${sink.spans() - spansBefore} spans received` : ""),
    )
  }
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log("")
for (const [label, xs] of results)
  console.log(
    `${label}: median ${median(xs).toFixed(1)} µs CPU per request (${Math.min(...xs).toFixed(1)} – ${Math.max(...xs).toFixed(1)})`,
  )
console.log(`${RATE} requests per second, ${SECONDS} s per run, ${ROUNDS} rounds`)
await sink.close()
