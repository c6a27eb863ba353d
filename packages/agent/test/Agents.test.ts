import { EventConsumer } from "@todo/messaging"
import type { TaskEventOf } from "@todo/contracts"
import { ClockWatch, TestDatabaseLive } from "@todo/testkit"
import { assert, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { AgentCore } from "../src/AgentLive.ts"
import { OverdueAgent } from "../src/agents/OverdueAgent.ts"
import { cloudEvent, rows, seedTask, seedUser, taskEvent } from "./support/Seed.ts"

const NOW = Date.parse("2031-01-15T12:00:00Z") // a Wednesday
const HOUR = 3_600_000

/**
 * The background loops one AgentCore runs on the clock: the overdue sweep, the prioritization sweep, the reminder
 * scheduler and the processed-events retention (the reason writer is off without a model key). Between clock moves
 * a test waits until all of them sleep again (ClockWatch), so what they do with the database is done.
 */
const LOOPS = 4

const watch = <A, E, R>(f: (clock: ClockWatch["Service"]) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    return yield* f(yield* ClockWatch)
  })

/** Moves the test clock once every loop sleeps, and waits until every loop it woke sleeps again. */
const adjust = (by: Parameters<ClockWatch["Service"]["adjust"]>[1], loops = LOOPS) =>
  watch((clock) => clock.adjust(loops, by))

/** Waits until the agents' loops all sleep on the clock (their start-up and re-plans done). */
const settle = (loops = LOOPS) => watch((clock) => clock.settle(loops))

/**
 * The agents, built inside each test so that their schedules run on the test's clock: nothing happens until the
 * test moves time. (The database is built once per file, outside the test clock.)
 */
const withAgents =
  (env: Record<string, string> = {}) =>
  <A, E, R>(body: Effect.Effect<A, E, R>) =>
    // The clock is set before the agents start: moving it after would replay every 5-minute sweep since 1970.
    Effect.andThen(
      TestClock.setTime(NOW),
      body.pipe(
        Effect.provide(AgentCore.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env))))),
        Effect.provide(ClockWatch.layer),
      ),
    )

const deliver = (event: Parameters<typeof cloudEvent>[0]) =>
  Effect.gen(function* () {
    const consumer = yield* EventConsumer
    return yield* consumer.deliver(cloudEvent(event), { topic: "tasks-lifecycle" })
  })

const suggestionsOf = (taskId: string) =>
  rows<{
    type: string
    status: string
    source_event: string
    correlation_id: string
    proposed_change: { dueDate?: string }
  }>(
    "SELECT type, status, source_event, correlation_id, proposed_change FROM suggestions WHERE task_id = $1 AND type = 'overdue' ORDER BY created_at",
    [taskId],
  )

const created = (userId: string, taskId: string, dueDate: string | null, correlationId = "corr-1") =>
  taskEvent<TaskEventOf<"tasks.created">>({
    eventType: "tasks.created",
    taskId,
    userId,
    title: "t",
    priority: "medium",
    dueDate,
    recurring: false,
    correlationId,
  })

layer(TestDatabaseLive(6))("overdue agent", (it) => {
  it.effect(
    "an event for an overdue task gives one suggestion and one tasks.overdue; a redelivery changes nothing",
    () =>
      Effect.gen(function* () {
        const user = yield* seedUser({ timezone: "Europe/Berlin" })
        const due = new Date(NOW - HOUR).toISOString()
        const task = yield* seedTask(user, { title: "Pay rent", dueDate: due })
        const event = created(user, task, due, "corr-created-1")
        assert.strictEqual((yield* deliver(event)).status, "SUCCESS")
        assert.strictEqual((yield* deliver(event)).status, "SUCCESS")
        const s = yield* suggestionsOf(task)
        assert.strictEqual(s.length, 1)
        assert.deepStrictEqual(
          [s[0]!.type, s[0]!.status, s[0]!.source_event, s[0]!.correlation_id],
          ["overdue", "pending", "tasks.created", "corr-created-1"],
        )
        // 11:00Z is 12:00 in Berlin; the next working day after Wednesday is Thursday, at 12:00 Berlin time.
        assert.strictEqual(s[0]!.proposed_change.dueDate, "2031-01-16T11:00:00.000Z")
        const overdue = yield* rows<{ n: number }>(
          "SELECT count(*)::int AS n FROM outbox WHERE task_id = $1 AND event_type = 'tasks.overdue'",
          [task],
        )
        assert.strictEqual(overdue[0]!.n, 1)
        const processed = yield* rows<{ n: number }>(
          "SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1",
          [event.eventId],
        )
        assert.strictEqual(processed[0]!.n, 1)
      }).pipe(withAgents()),
  )

  it.effect("a task due in the future gets nothing", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const due = new Date(NOW + HOUR).toISOString()
      const task = yield* seedTask(user, { dueDate: due })
      yield* deliver(created(user, task, due))
      assert.deepStrictEqual(yield* suggestionsOf(task), [])
    }).pipe(withAgents()),
  )

  it.effect("the sweep runs every 5 minutes and catches what no event announced", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const first = yield* seedTask(user, { dueDate: new Date(NOW - HOUR).toISOString() })
      yield* adjust("1 second")
      assert.deepStrictEqual(
        (yield* suggestionsOf(first)).map((s) => s.source_event),
        ["schedule"],
      )
      const second = yield* seedTask(user, { dueDate: new Date(NOW - HOUR).toISOString() })
      yield* adjust("4 minutes")
      assert.deepStrictEqual(yield* suggestionsOf(second), [])
      yield* adjust("1 minute")
      assert.deepStrictEqual(
        (yield* suggestionsOf(second)).map((s) => s.source_event),
        ["schedule"],
      )
    }).pipe(withAgents()),
  )

  it.effect("each sweep run has a correlation id of its own, on its events and its suggestions", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const first = yield* seedTask(user, { dueDate: new Date(NOW - HOUR).toISOString() })
      yield* adjust("1 second")
      const second = yield* seedTask(user, { dueDate: new Date(NOW - HOUR).toISOString() })
      yield* adjust("5 minutes")
      const runs = yield* Effect.forEach([first, second], (task) =>
        Effect.all({
          suggestion: suggestionsOf(task).pipe(Effect.map((s) => s.map((x) => x.correlation_id))),
          event: rows<{ correlation_id: string; payload: { correlationId: string } }>(
            "SELECT correlation_id, payload FROM outbox WHERE task_id = $1 AND event_type = 'tasks.overdue'",
            [task],
          ),
        }),
      )
      for (const { suggestion, event } of runs) {
        assert.strictEqual(suggestion.length, 1)
        assert.strictEqual(event.length, 1)
        assert.notStrictEqual(suggestion[0], "none")
        // The event a run writes and the suggestion it makes share the run's id, in the row and in the event.
        assert.strictEqual(event[0]!.correlation_id, suggestion[0])
        assert.strictEqual(event[0]!.payload.correlationId, suggestion[0])
      }
      // A fresh id per run: the second sweep is not the first one's.
      assert.notStrictEqual(runs[0]!.suggestion[0], runs[1]!.suggestion[0])
    }).pipe(withAgents()),
  )

  it.effect("a sweep racing an event, and two sweeps racing, still make one suggestion", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const due = new Date(NOW - HOUR).toISOString()
      const tasks = yield* Effect.forEach([1, 2, 3, 4, 5], () => seedTask(user, { dueDate: due }))
      const agent = yield* OverdueAgent
      const racers = [
        ...tasks.map((t) => deliver(created(user, t, due))),
        agent.run({ sourceEvent: "schedule", correlationId: "sweep-a" }),
        agent.run({ sourceEvent: "schedule", correlationId: "sweep-b" }),
      ]
      yield* Effect.all(racers, { concurrency: "unbounded" })
      for (const t of tasks) assert.strictEqual((yield* suggestionsOf(t)).length, 1)
      const notices = yield* rows<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE event_type = 'tasks.overdue' AND task_id = ANY($1::uuid[])",
        [tasks],
      )
      assert.strictEqual(notices[0]!.n, 5)
    }).pipe(withAgents()),
  )

  it.effect("respects the agents switch (events still recorded) and the hourly budget", () =>
    Effect.gen(function* () {
      const off = yield* seedUser({ agentsEnabled: false })
      const due = new Date(NOW - HOUR).toISOString()
      const quiet = yield* seedTask(off, { dueDate: due })
      const busy = yield* seedUser()
      const many = yield* Effect.forEach([1, 2, 3, 4], () => seedTask(busy, { dueDate: due }))
      const agent = yield* OverdueAgent
      yield* agent.run({ sourceEvent: "schedule", correlationId: "sweep" })
      assert.deepStrictEqual(yield* suggestionsOf(quiet), [])
      const overdueEvents = yield* rows<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE task_id = $1 AND event_type = 'tasks.overdue'",
        [quiet],
      )
      assert.strictEqual(overdueEvents[0]!.n, 1)
      const budgeted = yield* rows<{ n: number }>(
        "SELECT count(*)::int AS n FROM suggestions WHERE user_id = $1",
        [busy],
      )
      assert.strictEqual(budgeted[0]!.n, 2)
      void many
    }).pipe(withAgents({ AGENT_SUGGESTIONS_PER_HOUR: "2" })),
  )

  it.effect(
    "does not suggest again after a dismissal, until the task changes; a later due date withdraws",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const user = yield* seedUser()
        const due = new Date(NOW - HOUR).toISOString()
        const task = yield* seedTask(user, { dueDate: due })
        const agent = yield* OverdueAgent
        yield* agent.run({ sourceEvent: "schedule", correlationId: "s1" })
        yield* sql`UPDATE suggestions SET status = 'dismissed' WHERE task_id = ${task}`
        yield* agent.run({ sourceEvent: "schedule", correlationId: "s2" })
        assert.deepStrictEqual(
          (yield* suggestionsOf(task)).map((s) => s.status),
          ["dismissed"],
        )
        // The user moves the due date, still into the past: a new suggestion is fair.
        const earlier = new Date(NOW - 2 * HOUR).toISOString()
        yield* sql`UPDATE tasks SET due_date = ${earlier}, updated_at = now() + interval '1 second' WHERE id = ${task}`
        yield* deliver(
          taskEvent<TaskEventOf<"tasks.updated">>({
            eventType: "tasks.updated",
            taskId: task,
            userId: user,
            changes: { dueDate: { from: due, to: earlier } },
          }),
        )
        assert.deepStrictEqual(
          (yield* suggestionsOf(task)).map((s) => s.status),
          ["dismissed", "pending"],
        )
        // Moving it into the future withdraws the pending proposal.
        const later = new Date(NOW + 24 * HOUR).toISOString()
        yield* sql`UPDATE tasks SET due_date = ${later} WHERE id = ${task}`
        yield* deliver(
          taskEvent<TaskEventOf<"tasks.updated">>({
            eventType: "tasks.updated",
            taskId: task,
            userId: user,
            changes: { dueDate: { from: earlier, to: later } },
          }),
        )
        assert.deepStrictEqual(
          (yield* suggestionsOf(task)).map((s) => s.status),
          ["dismissed", "withdrawn"],
        )
      }).pipe(withAgents()),
  )

  it.effect("completing a task withdraws its pending suggestions", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const due = new Date(NOW - HOUR).toISOString()
      const task = yield* seedTask(user, { dueDate: due })
      yield* deliver(created(user, task, due))
      yield* deliver(
        taskEvent<TaskEventOf<"tasks.completed">>({
          eventType: "tasks.completed",
          taskId: task,
          userId: user,
          completedAt: new Date(NOW).toISOString(),
          nextTaskId: null,
        }),
      )
      assert.deepStrictEqual(
        (yield* suggestionsOf(task)).map((s) => s.status),
        ["withdrawn"],
      )
    }).pipe(withAgents()),
  )
})

layer(TestDatabaseLive(6))("reminder agent", (it) => {
  const notifications = (taskId: string) =>
    rows<{ title: string }>("SELECT title FROM notifications WHERE task_id = $1", [taskId])
  const reminderEvents = (taskId: string) =>
    rows<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE task_id = $1 AND event_type = 'tasks.reminder'",
      [taskId],
    ).pipe(Effect.map((r) => r[0]!.n))

  it.effect("fires at its second, once, even with two schedulers running", () =>
    Effect.gen(function* () {
      const user = yield* seedUser()
      const task = yield* seedTask(user, {
        title: "Call the bank",
        dueDate: new Date(NOW + 2 * HOUR).toISOString(),
        remindAt: new Date(NOW + 90_000).toISOString(),
      })
      // A second replica of the agent on the same database: a fresh build (else the layer's memo would hand back the
      // agents already running, and there would be one scheduler).
      const replica = yield* Layer.launch(Layer.fresh(AgentCore)).pipe(Effect.forkChild)
      yield* adjust("89 seconds", 2 * LOOPS)
      assert.deepStrictEqual(yield* notifications(task), [])
      yield* adjust("1 second", 2 * LOOPS)
      assert.deepStrictEqual(
        (yield* notifications(task)).map((n) => n.title),
        ["Call the bank"],
      )
      assert.strictEqual(yield* reminderEvents(task), 1)
      // The scheduler's tick has a correlation id of its own, on the event it wrote.
      const [event] = yield* rows<{ correlation_id: string }>(
        "SELECT correlation_id FROM outbox WHERE task_id = $1 AND event_type = 'tasks.reminder'",
        [task],
      )
      assert.match(event!.correlation_id, /^[0-9a-f-]{36}$/)
      yield* adjust("10 minutes", 2 * LOOPS)
      assert.strictEqual((yield* notifications(task)).length, 1)
      yield* Fiber.interrupt(replica)
    }).pipe(withAgents()),
  )

  it.effect(
    "a reminder on a task created without a due date fires at its second, not at the next re-read",
    () =>
      Effect.gen(function* () {
        yield* settle()
        const user = yield* seedUser()
        // Created after the scheduler went to sleep with nothing planned (until the 30-second re-read).
        const task = yield* seedTask(user, {
          title: "Stretch",
          remindAt: new Date(NOW + 5_000).toISOString(),
        })
        yield* deliver(created(user, task, null))
        yield* adjust("5 seconds")
        // Without the re-plan the scheduler sleeps on until the 30-second re-read, and nothing has fired yet.
        assert.deepStrictEqual(
          (yield* notifications(task)).map((n) => n.title),
          ["Stretch"],
        )
      }).pipe(withAgents()),
  )

  it.effect("a reminder missed while no agent ran fires at start-up, once across restarts", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const user = yield* seedUser()
      const task = yield* seedTask(user, { title: "Missed", remindAt: new Date(NOW - 60_000).toISOString() })
      const stale = yield* seedTask(user, {
        title: "Ancient",
        remindAt: new Date(NOW - 48 * HOUR).toISOString(),
      })
      for (let run = 0; run < 2; run++) {
        const agent = yield* Layer.launch(AgentCore).pipe(Effect.forkChild)
        yield* settle()
        yield* Fiber.interrupt(agent)
      }
      assert.strictEqual((yield* notifications(task)).length, 1)
      assert.strictEqual((yield* notifications(stale)).length, 0)
    }).pipe(Effect.provide(ClockWatch.layer)),
  )
})
