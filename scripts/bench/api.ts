import { randomUUID } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { signUp } from "@todo/testkit"
import { type CpuShare, formatProfile, measureCpu, summariseProfile } from "./support/cpu.ts"
import {
  type HttpRequest,
  type OpenLoopResult,
  openLoop,
  type SaturationResult,
  saturate,
} from "./support/load.ts"
import {
  type Operation,
  type PgbenchResult,
  pgbench,
  pgbenchVersion,
  seededTaskId,
  WORDS,
} from "./support/pgbench.ts"
import {
  cloneDatabase,
  type Database,
  exec,
  freshDatabase,
  openServer,
  query,
  sampleActivity,
} from "./support/postgres.ts"
import { int, ms } from "./support/stats.ts"
import { arg, assignments, flag, quick } from "./support/args.ts"
import { type Mode, type Running, startServer } from "./support/server.ts"

const SECONDS = Number(arg("seconds") ?? (quick ? 3 : 10))
const RATE = Number(arg("rate") ?? 1000)
const REPEAT = Number(arg("repeat") ?? 1)
const MODES = (arg("modes") ?? "api,app").split(",").filter((m) => m !== "" && m !== "none") as Array<Mode>
const OPS = (arg("ops") ?? "list,search,create,complete").split(",") as Array<Operation>
const PROFILE = flag("profile")
/**
 * Node options for the server under test: by default those the images run with (NODE_OPTIONS in
 * deploy/docker/api.Dockerfile), so the figures are the deployed server's; `--node-options=` for V8's defaults.
 */
const NODE_OPTIONS = arg("node-options") ?? "--max-semi-space-size=16"
/** `--compile-cache=off`: the server without Node's compile cache, which the start scripts and images turn on. */
const COMPILE_CACHE = arg("compile-cache") !== "off"
const FLOOR = !flag("no-floor")
/**
 * `--baseline=DIR`: also run the server from DIR (another checkout, e.g. `git archive <ref> | tar -x -C DIR` with
 * node_modules linked, its `@todo/*` pointing into DIR), interleaved with this tree round by round (`--repeat`
 * rounds, the order alternating: base, this, this, base, …), each run on a fresh copy of the seeded database; the
 * summary compares medians. On a shared machine that is the before/after that load drift hits alike.
 */
const BASELINE = arg("baseline")
/**
 * `--baseline-node-options=…`: the baseline runs with these Node flags instead of `--node-options`' (with no
 * `--baseline`, the baseline is this tree: a comparison of flags alone, e.g. V8's young generation size).
 */
const BASELINE_NODE_OPTIONS = arg("baseline-node-options")
/**
 * `--server-env=K=V,K=V` / `--baseline-server-env=…`: more environment for the server under test / the baseline's,
 * for settings Node takes only from the environment (glibc's MALLOC_ARENA_MAX; V8 flags NODE_OPTIONS refuses go in
 * through `--node-options=--import=<file calling v8.setFlagsFromString>`).
 */
const parseEnv = (text: string | undefined) => assignments((text ?? "").split(","))
const SERVER_ENV = parseEnv(arg("server-env"))
const BASELINE_SERVER_ENV = arg("baseline-server-env")
/** `--baseline-compile-cache=off|on`: the baseline with or without it (default: as `--compile-cache`). */
const BASELINE_COMPILE_CACHE = arg("baseline-compile-cache")
const USERS = 100
const TASKS = 10_000
const OPEN_LOOP_CONNECTIONS = 100
const SATURATION_CONNECTIONS = 64
/** PG_MAX_CONNECTIONS' default: the server's pool. */
const POOL_SIZE = 10
const log = (...parts: Array<unknown>) => console.log(...parts)

/** Peak and current resident set of a process, MiB (VmHWM / VmRSS). */
const memory = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? Number.NaN)
  return { peakMiB: kb("VmHWM") / 1024, rssMiB: kb("VmRSS") / 1024 }
}

// --- data -------------------------------------------------------------------------------------------------------

interface User {
  readonly k: number
  readonly id: string
  readonly token: string
}

/** 100 users through the API (Better Auth: password hashing, session), four at a time. */
const signUpUsers = async (url: string): Promise<Array<User>> => {
  const users: Array<User> = []
  for (let k = 0; k < USERS; k += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, USERS - k) }, (_, j) => signUp(url, `Bench User ${k + j}`)),
    )
    for (const [j, u] of batch.entries()) users.push({ k: k + j, id: u.user.id, token: u.token })
  }
  return users
}

const words = `ARRAY[${WORDS.map((w) => `'${w}'`).join(",")}]`
const pick = (r: string) => `(${words})[1 + floor(${r} * ${WORDS.length})::int]`

/**
 * 10 000 tasks, 100 per user, with ids seededTaskId(n) (user n % 100) so the pgbench scripts can name
 * them: three-word titles, half with a description, priorities low 25 % / medium 40 % / high 25 % / urgent 10 %,
 * 80 % with a due date from 10 days ago to 30 days ahead, zero to two tags, 20 % completed. Plus a pgbench session
 * (token `pgbench-session-<k>`) per user. Then VACUUM ANALYZE.
 */
const seedTasks = async (url: string, users: ReadonlyArray<User>) => {
  await query(url, `CREATE TABLE bench_users (k int PRIMARY KEY, user_id uuid NOT NULL)`)
  await query(url, `INSERT INTO bench_users SELECT * FROM unnest($1::int[], $2::uuid[])`, [
    users.map((u) => u.k),
    users.map((u) => u.id),
  ])
  await query(
    url,
    `INSERT INTO "session" (id, "expiresAt", token, "createdAt", "updatedAt", "userId")
     SELECT gen_random_uuid(), now() + interval '30 days', 'pgbench-session-' || k, now(), now(), user_id
     FROM bench_users`,
  )
  const tags = `ARRAY['work','home','errands','health','finance','family','project-x','reading']`
  await query(
    url,
    `WITH g AS (
       SELECT n, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7,
              random() r8, random() r9, random() r10, random() r11, random() r12, random() r13
       FROM generate_series(0, ${TASKS - 1}) n)
     INSERT INTO tasks (id, user_id, title, description, priority, due_date, tags, completed, completed_at,
                        created_at, updated_at)
     SELECT ${seededTaskId("n::text")}, b.user_id,
            initcap(${pick("r1")}) || ' ' || ${pick("r2")} || ' ' || ${pick("r3")},
            CASE WHEN r4 < 0.5 THEN 'Remember to ' || ${pick("r5")} || ' the ' || ${pick("r6")} || ' before the '
                 || ${pick("r7")} || ' and check the ' || ${pick("r2")} || '.' END,
            CASE WHEN r8 < 0.25 THEN 'low' WHEN r8 < 0.65 THEN 'medium' WHEN r8 < 0.9 THEN 'high' ELSE 'urgent' END,
            CASE WHEN r9 < 0.2 THEN NULL
                 ELSE date_trunc('hour', now()) + (r10 * 40 - 10) * interval '1 day' END,
            CASE WHEN r11 < 0.3 THEN '{}'::text[]
                 WHEN r11 < 0.7 THEN ARRAY[(${tags})[1 + floor(r12 * 8)::int]]
                 ELSE ARRAY(SELECT DISTINCT unnest(ARRAY[(${tags})[1 + floor(r12 * 8)::int],
                                                         (${tags})[1 + floor(r13 * 8)::int]])) END,
            r3 < 0.2,
            CASE WHEN r3 < 0.2 THEN now() - r9 * interval '5 days' END,
            now() - r13 * interval '60 days', now() - r13 * interval '60 days'
     FROM g JOIN bench_users b ON b.k = g.n % ${USERS}`,
  )
  await exec(url, "VACUUM ANALYZE")
}

// --- requests ---------------------------------------------------------------------------------------------------

const LIST_PATH = "/api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&order=asc&limit=50"

interface Requests {
  readonly make: (i: number) => HttpRequest
  /** complete only: requests that had to re-complete an already completed task (ran out of open ones). */
  readonly repeats: () => number
}

const requestsFor = async (op: Operation, db: Database, users: ReadonlyArray<User>): Promise<Requests> => {
  const auth = (k: number) => ({ authorization: `Bearer ${users[k]!.token}` })
  switch (op) {
    case "list":
      return { make: (i) => ({ method: "GET", path: LIST_PATH, headers: auth(i % USERS) }), repeats: () => 0 }
    case "search":
      return {
        make: (i) => {
          const word = WORDS[(i * 7 + Math.floor(i / USERS)) % WORDS.length]!
          // Every fourth search is a prefix, as while typing.
          const q = i % 4 === 0 ? word.slice(0, 4) : word
          return { method: "GET", path: `/api/tasks?q=${q}`, headers: auth(i % USERS) }
        },
        repeats: () => 0,
      }
    case "create":
      return {
        make: (i) => ({
          method: "POST",
          path: "/api/tasks",
          headers: { ...auth(i % USERS), "content-type": "application/json" },
          body: JSON.stringify({
            title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} #${i}`,
            priority: (["low", "medium", "medium", "high", "urgent"] as const)[i % 5],
            ...(i % 10 < 7
              ? { dueDate: new Date(Date.now() + (1 + (i % 30)) * 86_400_000).toISOString() }
              : {}),
            tags: i % 3 === 0 ? [] : i % 3 === 1 ? ["work"] : ["home", "errands"],
          }),
        }),
        repeats: () => 0,
      }
    case "complete": {
      // Every request completes a different open task of its owner, as long as there are open tasks left.
      const open = await query<{ id: string; k: number }>(
        db.url,
        `SELECT t.id::text AS id, b.k FROM tasks t JOIN bench_users b ON b.user_id = t.user_id
         WHERE NOT t.completed ORDER BY random()`,
      )
      let next = 0
      let repeats = 0
      return {
        make: () => {
          if (next >= open.length) repeats++
          const t = open[next++ % open.length]!
          return { method: "POST", path: `/api/tasks/${t.id}/complete`, headers: auth(t.k) }
        },
        repeats: () => repeats,
      }
    }
  }
}

// --- runs -------------------------------------------------------------------------------------------------------

interface Measured {
  readonly cpu: CpuShare
  /** PostgreSQL transactions committed per successful request (the request's, the relay's, the agents'). */
  readonly commitsPerRequest: number
}

interface OpResult {
  readonly op: Operation
  /** Server CPU (ms) per 2xx answer in the open-loop run. */
  readonly cpuMsPerRequest: number
  readonly open: OpenLoopResult & Measured
  readonly sat: SaturationResult & Measured
  readonly repeats: number
  /** The server's largest resident set seen during this operation's runs (sampled every 200 ms), MiB. */
  readonly rssMaxMiB: number
}

/** Samples the server's VmRSS every 200 ms until stopped; returns the largest, MiB. */
const rssSampler = (pid: number) => {
  let max = memory(pid).rssMiB
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memory(pid).rssMiB)
    } catch {}
  }, 200)
  return () => {
    clearInterval(timer)
    return max
  }
}

const byMedian = <A>(runs: ReadonlyArray<A>, key: (a: A) => number) =>
  [...runs].sort((a, b) => key(a) - key(b))[Math.floor((runs.length - 1) / 2)]!

const runOperation = async (
  op: Operation,
  server: Running,
  db: Database,
  users: ReadonlyArray<User>,
  repeat: number,
): Promise<OpResult> => {
  await exec(db.url, "VACUUM ANALYZE tasks, outbox, session")
  const requests = await requestsFor(op, db, users)
  const rssMax = rssSampler(server.pid)
  let i = 0
  const next = () => requests.make(i++)
  // Warm-up: JIT, the pool's connections and their prepared statements.
  await openLoop({
    origin: server.url,
    rate: 300,
    seconds: 1,
    connections: OPEN_LOOP_CONNECTIONS,
    request: next,
  })
  await settle(db)
  const opens: Array<OpenLoopResult & Measured> = []
  const sats: Array<SaturationResult & Measured> = []
  for (let r = 0; r < repeat; r++) {
    let sampling = sampleActivity(db.url, db.name)
    const open = await measured(server, db, () =>
      openLoop({
        origin: server.url,
        rate: RATE,
        seconds: SECONDS,
        connections: OPEN_LOOP_CONNECTIONS,
        request: next,
      }),
    )
    opens.push(open)
    log(`  ${op.padEnd(8)} ${formatOpen(opens[opens.length - 1]!)}`)
    log(`           ${formatActivity(await sampling())}`)
    await settle(db)
    sampling = sampleActivity(db.url, db.name)
    const sat = await measured(server, db, () =>
      saturate({ origin: server.url, connections: SATURATION_CONNECTIONS, seconds: SECONDS, request: next }),
    )
    sats.push(sat)
    log(`  ${op.padEnd(8)} ${formatSat(sats[sats.length - 1]!)}`)
    log(`           ${formatActivity(await sampling())}`)
    await settle(db)
  }
  const rssMaxMiB = rssMax()
  log(`  ${op.padEnd(8)} server RSS: at most ${rssMaxMiB.toFixed(0)} MiB during ${op}`)
  const open = byMedian(opens, (o) => o.latency.p95)
  return {
    op,
    cpuMsPerRequest: (open.cpu.server * open.seconds * 1000) / Math.max(1, open.ok),
    open,
    sat: byMedian(sats, (s) => s.throughput),
    repeats: requests.repeats(),
    rssMaxMiB,
  }
}

/** Waits (bounded) until the relay has published every event, so one run's backlog is not the next one's load. */
const settle = async (db: Database) => {
  for (let t = 0; t < 300; t++) {
    const [row] = await query<{ n: number }>(
      db.url,
      "SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL",
    )
    if (row!.n === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  await new Promise((r) => setTimeout(r, 500))
}

const formatActivity = (activity: ReadonlyArray<{ what: string; backends: number }>) =>
  `postgres backends, average count by state: ${
    activity
      .filter((a) => a.backends >= 0.05)
      .slice(0, 6)
      .map((a) => `${a.what} ${a.backends.toFixed(2)}`)
      .join("; ") || "none busy"
  }`

/** Transactions committed in `database` (pg_stat_database; flushed by the backends about once a second). */
const commits = async (db: Database) => {
  const [row] = await query<{ n: string }>(
    db.url,
    "SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1",
    [db.name],
  )
  return Number(row?.n ?? Number.NaN)
}

/** Runs `run` measuring CPU per part and the transactions committed per 2xx answer. */
const measured = async <A extends { readonly ok: number }>(
  server: Running,
  db: Database,
  run: () => Promise<A>,
) => {
  const c0 = await commits(db)
  const { result, cpu } = await measureCpu(server.pid, db.name, run)
  await new Promise((r) => setTimeout(r, 1_100))
  return { ...result, cpu, commitsPerRequest: ((await commits(db)) - c0) / Math.max(1, result.ok) }
}

const cpuText = (c: CpuShare) =>
  `CPU cores: server ${c.server.toFixed(2)}, postgres ${c.postgres.toFixed(2)}, generator ${c.generator.toFixed(2)}, other ${c.other.toFixed(2)} (machine ${c.machine.toFixed(2)} of ${cpus().length})`

const formatOpen = (o: OpenLoopResult & Measured) =>
  `${o.offeredRate}/s open loop ${o.seconds} s: achieved ${int(o.achievedRate)}/s, ok ${o.ok}/${o.sent}, ` +
  `errors ${o.errors}${Object.keys(o.statuses).some((s) => !s.startsWith("2")) ? ` statuses ${JSON.stringify(o.statuses)}` : ""}, ` +
  `p50 ${ms(o.latency.p50)} ms, p95 ${ms(o.latency.p95)} ms, p99 ${ms(o.latency.p99)} ms, max ${ms(o.latency.max)} ms ` +
  `(send lag p99 ${ms(o.sendLag.p99)} ms, ${int(o.meanResponseBytes)} B/response)\n           ${cpuText(o.cpu)}; ${o.commitsPerRequest.toFixed(2)} commits/request`

const formatSat = (s: SaturationResult & Measured) =>
  `saturation ${s.connections} connections ${s.seconds} s: ${int(s.throughput)} req/s (2xx), non-2xx ${s.non2xx}, ` +
  `errors ${s.errors}, p50 ${s.latency.p50} ms, p99 ${s.latency.p99} ms\n           ${cpuText(s.cpu)}; ${s.commitsPerRequest.toFixed(2)} commits/request`

interface Variant {
  readonly label: string
  /** The checkout the server runs from; undefined = this one. */
  readonly root?: string | undefined
  /** Node flags instead of NODE_OPTIONS. */
  readonly nodeOptions?: string | undefined
  /** Node's compile cache on or off instead of COMPILE_CACHE. */
  readonly compileCache?: boolean | undefined
  /** Environment instead of SERVER_ENV. */
  readonly env?: Record<string, string> | undefined
}
const THIS_TREE: Variant = { label: "this tree" }

const runMode = async (
  mode: Mode,
  seed: Database,
  serverUrl: string,
  users: ReadonlyArray<User>,
  variant: Variant = THIS_TREE,
  repeat = REPEAT,
) => {
  const db = await cloneDatabase(serverUrl, seed, `api_${mode}`)
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), "todo-bench-prof-")) : undefined
  const nodeOptions = variant.nodeOptions ?? NODE_OPTIONS
  const compileCache = variant.compileCache ?? COMPILE_CACHE
  const env = variant.env ?? SERVER_ENV
  const server = await startServer(mode, db, {
    nodeOptions,
    compileCache,
    env,
    profileDir,
    root: variant.root,
  })
  log(
    `\n${mode === "api" ? "API alone: packages/api/src/main.ts + stub Dapr sidecar (relay publishes, no agents)" : "one process: packages/app/src/main.ts (API + relay + in-process bus + agents)"}; ${variant.label}${variant.root ? ` (${variant.root})` : ""}; pid ${server.pid}${nodeOptions ? `; node ${nodeOptions}` : ""}; compile cache ${compileCache ? "on" : "off"}${Object.keys(env).length > 0 ? `; env ${JSON.stringify(env)}` : ""}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  )
  try {
    await settle(db) // the app's start-up sweep and its events
    const restMiB = memory(server.pid).rssMiB
    log(`  server RSS after start-up: ${restMiB.toFixed(0)} MiB`)
    const results: Array<OpResult> = []
    for (const op of OPS) results.push(await runOperation(op, server, db, users, repeat))
    const mem = memory(server.pid)
    log(
      `  server memory: peak RSS (VmHWM) ${mem.peakMiB.toFixed(0)} MiB, RSS now ${mem.rssMiB.toFixed(0)} MiB; ` +
        `it logged ${int(server.outputBytes())} bytes`,
    )
    const [counts] = await query<{ tasks: number; outbox: number }>(
      db.url,
      "SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM outbox)::int AS outbox",
    )
    log(`  rows at the end: ${int(counts!.tasks)} tasks, ${int(counts!.outbox)} outbox events`)
    for (const r of results)
      if (r.repeats > 0) log(`  note: complete ran out of open tasks; ${r.repeats} requests re-completed one`)
    return { mode, variant, results, mem, restMiB }
  } finally {
    await server.stop()
    await db.drop()
    if (profileDir) {
      const files = readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile"))
      for (const f of files) {
        log(
          `  CPU profile of the ${mode} server (${OPS.join(", ")}; warm-ups included): ${join(profileDir, f)}`,
        )
        log(formatProfile(summariseProfile(join(profileDir, f), 30)))
      }
      if (files.length === 0) {
        log("  (no CPU profile was written)")
        rmSync(profileDir, { recursive: true, force: true })
      }
    }
  }
}

// --- the floor --------------------------------------------------------------------------------------------------

interface Floor {
  /** The same connection count as the saturation run. */
  readonly main: PgbenchResult
  /** With the API's pool size instead. */
  readonly pool: PgbenchResult
  /** The session looked up once per user, as the API does with its session cache (the main floor: per request). */
  readonly cached: PgbenchResult
  /** Writes only: the same with the NOTIFY triggers off, and with synchronous_commit off (what bounds it). */
  readonly noNotify?: PgbenchResult
  readonly asyncCommit?: PgbenchResult
}

const runFloor = async (seed: Database, serverUrl: string) => {
  const version = pgbenchVersion()
  const floors = new Map<Operation, Floor>()
  if (version === undefined) {
    log("\nfloor: pgbench is not on PATH (install PostgreSQL's client tools); skipped")
    return floors
  }
  const db = await cloneDatabase(serverUrl, seed, "api_floor")
  const short = Math.max(3, Math.round(SECONDS / 2))
  log(`\nfloor: the same SQL per request through ${version}, -M prepared, -j 2, no server running`)
  const line = (op: Operation, label: string, r: PgbenchResult) =>
    log(
      `  ${op.padEnd(8)} ${label.padEnd(40)} ${int(r.tps).padStart(6)} transactions/s, latency mean ${ms(r.latencyMs)} ms, failed ${r.failed}`,
    )
  try {
    for (const op of OPS) {
      await exec(db.url, "VACUUM ANALYZE tasks, outbox, session")
      const main = pgbench(db.url, op, SATURATION_CONNECTIONS, SECONDS)
      line(op, `${SATURATION_CONNECTIONS} connections, ${SECONDS} s`, main)
      const pool = pgbench(db.url, op, POOL_SIZE, short)
      line(op, `${POOL_SIZE} connections (the API's pool), ${short} s`, pool)
      const cached = pgbench(db.url, op, SATURATION_CONNECTIONS, SECONDS, {}, "cached")
      line(op, `${SATURATION_CONNECTIONS} connections, session cached, ${SECONDS} s`, cached)
      let floor: Floor = { main, pool, cached }
      if (op === "create" || op === "complete") {
        await exec(db.url, "ALTER TABLE tasks DISABLE TRIGGER tasks_notify")
        await exec(db.url, "ALTER TABLE outbox DISABLE TRIGGER outbox_notify")
        const noNotify = pgbench(db.url, op, SATURATION_CONNECTIONS, short)
        await exec(db.url, "ALTER TABLE tasks ENABLE TRIGGER tasks_notify")
        await exec(db.url, "ALTER TABLE outbox ENABLE TRIGGER outbox_notify")
        line(op, `${SATURATION_CONNECTIONS} connections, NOTIFY triggers off, ${short} s`, noNotify)
        const asyncCommit = pgbench(db.url, op, SATURATION_CONNECTIONS, short, {
          PGOPTIONS: "-c synchronous_commit=off",
        })
        line(op, `${SATURATION_CONNECTIONS} connections, synchronous_commit off, ${short} s`, asyncCommit)
        floor = { ...floor, noNotify, asyncCommit }
      }
      floors.set(op, floor)
    }
  } finally {
    await db.drop()
  }
  return floors
}

// --- main -------------------------------------------------------------------------------------------------------

const main = async () => {
  const started = Date.now()
  const server = await openServer(log)
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`,
  )
  log(`postgres: ${server.version.split(",")[0]}`)
  log(
    `load: ${RATE} req/s open loop from ${USERS} users over ≤ ${OPEN_LOOP_CONNECTIONS} connections, ` +
      `saturation with ${SATURATION_CONNECTIONS} connections; ${SECONDS} s each${REPEAT > 1 ? `, median of ${REPEAT}` : ""}`,
  )
  const seed = await freshDatabase(server.url, "api_seed")
  try {
    const seeder = await startServer("api", seed, { nodeOptions: NODE_OPTIONS, compileCache: COMPILE_CACHE })
    const users = await signUpUsers(seeder.url).finally(() => seeder.stop())
    await seedTasks(seed.url, users)
    log(`data: ${USERS} users (signed up through the API), ${int(TASKS)} tasks (seeded with SQL)`)
    if (
      BASELINE !== undefined ||
      BASELINE_NODE_OPTIONS !== undefined ||
      BASELINE_COMPILE_CACHE !== undefined ||
      BASELINE_SERVER_ENV !== undefined
    ) {
      await compare(seed, server.url, users, {
        label: "baseline",
        root: BASELINE,
        nodeOptions: BASELINE_NODE_OPTIONS,
        compileCache: BASELINE_COMPILE_CACHE === undefined ? undefined : BASELINE_COMPILE_CACHE !== "off",
        env: BASELINE_SERVER_ENV === undefined ? undefined : parseEnv(BASELINE_SERVER_ENV),
      })
      return
    }
    const modes: Array<Awaited<ReturnType<typeof runMode>>> = []
    for (const mode of MODES) modes.push(await runMode(mode, seed, server.url, users))
    const floors = FLOOR ? await runFloor(seed, server.url) : new Map<Operation, Floor>()
    summarise(modes, floors)
  } finally {
    await seed.drop()
    await server.close()
  }
  log(
    `\n(api benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s; run ${randomUUID().slice(0, 8)})`,
  )
}

type ModeRun = Awaited<ReturnType<typeof runMode>>

/** Baseline against this tree, `REPEAT` rounds each, interleaved; prints the medians side by side. */
const compare = async (seed: Database, serverUrl: string, users: ReadonlyArray<User>, baseline: Variant) => {
  for (const mode of MODES) {
    const runs = new Map<string, Array<ModeRun>>([
      [baseline.label, []],
      [THIS_TREE.label, []],
    ])
    for (let round = 0; round < REPEAT; round++) {
      const order = round % 2 === 0 ? [baseline, THIS_TREE] : [THIS_TREE, baseline]
      for (const v of order) runs.get(v.label)!.push(await runMode(mode, seed, serverUrl, users, v, 1))
    }
    log(`\ncomparison, ${mode}: medians of ${REPEAT} interleaved rounds [range]`)
    const cell = (xs: ReadonlyArray<number>, f: (x: number) => string) => {
      const sorted = [...xs].sort((a, b) => a - b)
      return `${f(sorted[Math.floor((sorted.length - 1) / 2)]!)} [${f(sorted[0]!)}–${f(sorted[sorted.length - 1]!)}]`
    }
    const mib = (x: number) => x.toFixed(0)
    for (const [label, rs] of runs) {
      log(
        `  ${label.padEnd(10)} RSS at rest ${cell(
          rs.map((r) => r.restMiB),
          mib,
        )} MiB, peak ${cell(
          rs.map((r) => r.mem.peakMiB),
          mib,
        )} MiB`,
      )
      for (const op of OPS) {
        const res = rs.map((r) => r.results.find((x) => x.op === op)!)
        log(
          `    ${op.padEnd(8)} ${RATE}/s: achieved ${cell(
            res.map((r) => r.open.achievedRate),
            int,
          )}/s, p50 ${cell(
            res.map((r) => r.open.latency.p50),
            ms,
          )} ms, p95 ${cell(
            res.map((r) => r.open.latency.p95),
            ms,
          )} ms, server CPU ${cell(
            res.map((r) => r.cpuMsPerRequest),
            (x) => x.toFixed(3),
          )} ms/request, commits/request ${cell(
            res.map((r) => r.open.commitsPerRequest),
            (x) => x.toFixed(2),
          )}; saturation ${cell(
            res.map((r) => r.sat.throughput),
            int,
          )}/s; peak RSS during ${cell(
            res.map((r) => r.rssMaxMiB),
            mib,
          )} MiB`,
        )
      }
    }
  }
}

const summarise = (
  modes: ReadonlyArray<Awaited<ReturnType<typeof runMode>>>,
  floors: ReadonlyMap<Operation, Floor>,
) => {
  log(
    "\nsummary (targets: p95 ≤ 20 ms at 1 000/s for list and create; saturation ≥ 40 % of the floor; peak RSS ≤ 200 MB)",
  )
  for (const m of modes) {
    log(
      `  ${m.mode}: peak RSS ${m.mem.peakMiB.toFixed(0)} MiB ${m.mem.peakMiB * 1.048576 <= 200 ? "(met)" : "(MISSED)"}`,
    )
    for (const r of m.results) {
      const floor = floors.get(r.op)?.main
      const cached = floors.get(r.op)?.cached
      const ratio = floor ? r.sat.throughput / floor.tps : Number.NaN
      const p95Target =
        r.op === "list" || r.op === "create" ? (r.open.latency.p95 <= 20 ? " (met)" : " (MISSED)") : ""
      log(
        `    ${r.op.padEnd(8)} p50/p95/p99 ${ms(r.open.latency.p50)}/${ms(r.open.latency.p95)}/${ms(r.open.latency.p99)} ms${p95Target}, ` +
          `failed ${r.open.sent - r.open.ok}, achieved ${int(r.open.achievedRate)}/s; ` +
          `saturation ${int(r.sat.throughput)} req/s` +
          (floor
            ? ` = ${(ratio * 100).toFixed(0)} % of the floor's ${int(floor.tps)}/s${ratio >= 0.4 ? " (met)" : " (MISSED)"}`
            : "") +
          (cached
            ? `; ${((r.sat.throughput / cached.tps) * 100).toFixed(0)} % of ${int(cached.tps)}/s with the session cached`
            : ""),
      )
    }
  }
}

await main()
process.exit(0)
