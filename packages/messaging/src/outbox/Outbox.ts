import { randomUUID } from "node:crypto"
import { type Actor, EVENT_SCHEMA_VERSION, type TaskEvent } from "@todo/contracts"
import { CorrelationId, type Notice, Notifier } from "@todo/runtime"
import { Clock, Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment, Statement } from "effect/sql/Statement"
import { currentTraceContext, type TraceContext } from "../TraceContext.ts"
import { OUTBOX_CHANNEL, type OutboxRow, OutboxTable } from "./OutboxRow.ts"

/** Who is acting in the current fiber; recorded in every event it writes (the activity log shows it). */
export const CurrentActor = Context.Reference<Actor>("@todo/messaging/CurrentActor", {
  defaultValue: () => "user",
})

type Envelope = "eventId" | "correlationId" | "timestamp" | "schemaVersion" | "actor"
/** An event before the writer stamps its id, correlation id, time, schema version and actor. */
export type NewTaskEvent = TaskEvent extends infer E
  ? E extends TaskEvent
    ? Omit<E, Envelope>
    : never
  : never

/**
 * Appends task events to the transactional outbox. Call it inside the transaction that makes the change: the
 * event commits with the change or not at all. Every append takes a transaction-scoped advisory lock on the user in
 * the same statement, before the row gets its id, so one user's events get outbox ids in commit order (the order
 * the relay publishes them in) even for a writer that forgot `lockUser`. Lock order: a writer takes its users'
 * locks (`lockUser`/`lockUsers`) *before* it touches any of their rows; one that locks a task row first and then
 * appends can deadlock with a request that holds the user's lock and waits for that row (PostgreSQL then aborts
 * one of them).
 */
export class Outbox extends Context.Service<
  Outbox,
  {
    /**
     * `taskNotices`: the `user_changes` notices of the task change this event records, sent after the commit; for
     * a transaction that quieted `tasks_notify` before its change (`lockUser`'s `deferTaskNotify`).
     */
    readonly append: (
      event: NewTaskEvent,
      taskNotices?: ReadonlyArray<Notice>,
    ) => Effect.Effect<TaskEvent, SqlError>
    /**
     * Runs `change` (one data-modifying statement with `RETURNING`, e.g. a task's INSERT) and appends the event
     * in the same statement (`WITH changed AS (change), appended AS (INSERT INTO outbox …) SELECT * FROM
     * changed`), the user's lock taken in it as in `append`. Outside a transaction that statement is one
     * round trip and one commit (no BEGIN, no COMMIT), and still atomic. Answers `change`'s rows.
     *
     * `taskNotices`: the `user_changes` notices `change`'s own trigger (`tasks_notify`) would send. Given, the
     * statement quiets that trigger for the rest of its transaction and they are sent after the commit (`Notifier`)
     * instead, so a create outside a transaction commits without a NOTIFY. Inside a transaction, every later task
     * change of that transaction must then be announced by its writer too.
     */
    readonly appendWith: <Row extends object>(
      event: NewTaskEvent,
      change: Statement<Row>,
      taskNotices?: ReadonlyArray<Notice>,
    ) => Effect.Effect<{ readonly event: TaskEvent; readonly rows: ReadonlyArray<Row> }, SqlError>
    /**
     * `deferTaskNotify`: also quiets `tasks_notify` for the rest of the transaction (0006_notify_after_commit.sql);
     * the writer then hands the `user_changes` notice of each task change it makes to the `Notifier` itself.
     */
    readonly lockUser: (
      userId: string,
      options?: { readonly deferTaskNotify?: boolean },
    ) => Effect.Effect<void, SqlError>
    /**
     * Locks several users at once, in one fixed order. Every writer takes its users' locks *before* it touches a
     * task row: an agent that first took a key-share lock on a task (by inserting a row that references it) and
     * then waited for the user's lock would deadlock with a request that holds the user's lock and waits for the
     * task row.
     */
    readonly lockUsers: (userIds: Iterable<string>) => Effect.Effect<void, SqlError>
    /**
     * Appends many events in one statement (a sweep's thousands of `tasks.overdue`), after locking their users in
     * the fixed order; the rows get ids in the order given.
     */
    readonly appendMany: (
      events: ReadonlyArray<NewTaskEvent>,
    ) => Effect.Effect<ReadonlyArray<TaskEvent>, SqlError>
    /**
     * Enqueues an existing event again with its original id (a dead-letter replay): a row still in the outbox goes
     * back to pending; a row already pruned is written anew. Consumers dedupe on the id, and a dead-lettered
     * event was never recorded as processed, so the replay takes effect once.
     */
    readonly requeue: (event: TaskEvent) => Effect.Effect<void, SqlError>
  }
>()("@todo/messaging/Outbox") {
  /** The outbox with its `Notifier` to provide (a test observes what it would send). */
  static readonly layerWithoutDependencies = Layer.effect(
    Outbox,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const notifier = yield* Notifier
      // Every append quiets the outbox trigger for its transaction (0006_notify_after_commit.sql) and wakes the
      // relays after the commit instead: one NOTIFY-free commit per write, the wake-ups batched (Notifier).
      const wakeRelays: ReadonlyArray<Notice> = [{ channel: OUTBOX_CHANNEL, payload: "" }]
      /** The triggers a lock statement quiets for the rest of its transaction, at no round trip of their own. */
      interface Quiet {
        readonly outbox?: boolean
        readonly tasks?: boolean
      }
      const quieting = ({ outbox = false, tasks = false }: Quiet) =>
        sql`${outbox ? sql`, set_config('todo.defer_outbox_notify', 'on', true)` : sql``}${tasks ? sql`, set_config('todo.defer_task_notify', 'on', true)` : sql``}`
      const userLock = (userId: string, quiet: Quiet = {}) =>
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${userId}, 0))${quieting(quiet)}`
      const usersLock = (userIds: Iterable<string>, quiet: Quiet = {}) => {
        const sorted = [...new Set(userIds)].sort()
        return sorted.length === 0
          ? Effect.void
          : sql`SELECT pg_advisory_xact_lock(hashtextextended(u, 0))${quieting(quiet)} FROM unnest(${sorted}::text[]) WITH ORDINALITY AS l(u, n) ORDER BY n`.pipe(
              Effect.asVoid,
            )
      }
      const lockUser = (userId: string, options?: { readonly deferTaskNotify?: boolean }) =>
        userLock(userId, { tasks: options?.deferTaskNotify === true }).pipe(Effect.asVoid)
      const lockUsers = (userIds: Iterable<string>) => usersLock(userIds)

      const rowOf = (event: TaskEvent, trace: TraceContext): typeof OutboxRow.insert.Type => ({
        eventId: event.eventId,
        eventType: event.eventType,
        userId: event.userId,
        taskId: event.taskId,
        payload: event,
        correlationId: event.correlationId,
        traceparent: trace.traceparent,
        tracestate: trace.tracestate,
      })

      /** INSERT … SELECT from the lock: the lock is held before the identity default draws the row's id. */
      const insertStatement = (
        event: TaskEvent,
        trace: TraceContext,
        options: { readonly onConflict?: Fragment; readonly deferTasks?: boolean } = {},
      ) =>
        OutboxTable.insertStatement(sql, [rowOf(event, trace)], {
          join: sql`(${userLock(event.userId, { outbox: true, tasks: options.deferTasks === true })}) AS locked`,
          ...(options.onConflict ? { tail: options.onConflict } : {}),
        })
      /** After the commit: the relays' wake-up, and the task notices of a writer that quieted `tasks_notify`. */
      const afterCommit = (taskNotices: ReadonlyArray<Notice> = []) =>
        notifier.afterCommit([...wakeRelays, ...taskNotices])
      const insert = (
        event: TaskEvent,
        trace: TraceContext,
        options: { readonly onConflict?: Fragment; readonly taskNotices?: ReadonlyArray<Notice> } = {},
      ) =>
        insertStatement(event, trace, options.onConflict ? { onConflict: options.onConflict } : {}).pipe(
          Effect.flatten,
          Effect.andThen(afterCommit(options.taskNotices)),
        )

      const stamp = (event: NewTaskEvent) =>
        Effect.gen(function* () {
          return {
            ...event,
            eventId: randomUUID(),
            correlationId: yield* CorrelationId,
            timestamp: new Date(yield* Clock.currentTimeMillis).toISOString(),
            schemaVersion: EVENT_SCHEMA_VERSION,
            actor: yield* CurrentActor,
          } as TaskEvent
        })

      const append = Effect.fn("Outbox.append")(function* (
        event: NewTaskEvent,
        taskNotices?: ReadonlyArray<Notice>,
      ) {
        const stamped = yield* stamp(event)
        yield* insert(stamped, yield* currentTraceContext, taskNotices ? { taskNotices } : {})
        yield* Effect.annotateCurrentSpan({ "event.type": stamped.eventType, "event.id": stamped.eventId })
        return stamped
      })

      // The same span name as `append`: it is the append (the relay's publish continues this span's context).
      const appendWith = Effect.fn("Outbox.append")(function* <Row extends object>(
        event: NewTaskEvent,
        change: Statement<Row>,
        taskNotices?: ReadonlyArray<Notice>,
      ) {
        const stamped = yield* stamp(event)
        const appended = yield* insertStatement(stamped, yield* currentTraceContext, {
          deferTasks: taskNotices !== undefined,
        })
        const rows = yield* sql<Row>`
          WITH changed AS (${change}), appended AS (${appended})
          SELECT * FROM changed`
        yield* afterCommit(taskNotices)
        yield* Effect.annotateCurrentSpan({ "event.type": stamped.eventType, "event.id": stamped.eventId })
        return { event: stamped, rows }
      })

      const appendMany = Effect.fn("Outbox.appendMany")(function* (events: ReadonlyArray<NewTaskEvent>) {
        if (events.length === 0) return []
        const stamped = yield* Effect.forEach(events, stamp)
        const trace = yield* currentTraceContext
        yield* usersLock(
          stamped.map((e) => e.userId),
          { outbox: true },
        )
        yield* OutboxTable.insert(
          sql,
          stamped.map((e) => rowOf(e, trace)),
        )
        yield* afterCommit()
        yield* Effect.annotateCurrentSpan({ "event.count": stamped.length })
        return stamped
      })

      const requeue = Effect.fn("Outbox.requeue")(function* (event: TaskEvent) {
        yield* insert(event, yield* currentTraceContext, {
          onConflict: sql`ON CONFLICT (event_id) DO UPDATE SET
                published_at = NULL, attempts = 0, last_error = NULL, next_attempt_at = now()`,
        })
        yield* Effect.annotateCurrentSpan({ "event.type": event.eventType, "event.id": event.eventId })
      })
      return Outbox.of({ append, appendWith, appendMany, lockUser, lockUsers, requeue })
    }),
  )

  static readonly layer = Outbox.layerWithoutDependencies.pipe(Layer.provide(Notifier.layer))
}
