import { randomUUID } from "node:crypto"
import { type Actor, EVENT_SCHEMA_VERSION, type TaskEvent } from "@todo/contracts"
import { CorrelationId } from "@todo/runtime"
import { Clock, Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment, Statement } from "effect/sql/Statement"
import { currentTraceContext, type TraceContext } from "../TraceContext.ts"
import { type OutboxRow, OutboxTable } from "./OutboxRow.ts"

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
    readonly append: (event: NewTaskEvent) => Effect.Effect<TaskEvent, SqlError>
    /**
     * Runs `change` (one data-modifying statement with `RETURNING`, e.g. a task's INSERT) and appends the event
     * in the same statement (`WITH changed AS (change), appended AS (INSERT INTO outbox …) SELECT * FROM
     * changed`), the user's lock taken in it as in `append`. Outside a transaction that statement is one
     * round trip and one commit (no BEGIN, no COMMIT), and still atomic. Answers `change`'s rows.
     */
    readonly appendWith: <Row extends object>(
      event: NewTaskEvent,
      change: Statement<Row>,
    ) => Effect.Effect<{ readonly event: TaskEvent; readonly rows: ReadonlyArray<Row> }, SqlError>
    readonly lockUser: (userId: string) => Effect.Effect<void, SqlError>
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
  static readonly layer = Layer.effect(
    Outbox,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const userLock = (userId: string) => sql`SELECT pg_advisory_xact_lock(hashtextextended(${userId}, 0))`
      const lockUser = (userId: string) => userLock(userId).pipe(Effect.asVoid)
      const lockUsers = (userIds: Iterable<string>) => {
        const sorted = [...new Set(userIds)].sort()
        return sorted.length === 0
          ? Effect.void
          : sql`SELECT pg_advisory_xact_lock(hashtextextended(u, 0)) FROM unnest(${sorted}::text[]) WITH ORDINALITY AS l(u, n) ORDER BY n`.pipe(
              Effect.asVoid,
            )
      }

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
      const insertStatement = (event: TaskEvent, trace: TraceContext, onConflict?: Fragment) =>
        OutboxTable.insertStatement(sql, [rowOf(event, trace)], {
          join: sql`(${userLock(event.userId)}) AS locked`,
          ...(onConflict ? { tail: onConflict } : {}),
        })
      const insert = (event: TaskEvent, trace: TraceContext, onConflict?: Fragment) =>
        insertStatement(event, trace, onConflict).pipe(Effect.flatten)

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

      const append = Effect.fn("Outbox.append")(function* (event: NewTaskEvent) {
        const stamped = yield* stamp(event)
        yield* insert(stamped, yield* currentTraceContext)
        yield* Effect.annotateCurrentSpan({ "event.type": stamped.eventType, "event.id": stamped.eventId })
        return stamped
      })

      // The same span name as `append`: it is the append (the relay's publish continues this span's context).
      const appendWith = Effect.fn("Outbox.append")(function* <Row extends object>(
        event: NewTaskEvent,
        change: Statement<Row>,
      ) {
        const stamped = yield* stamp(event)
        const appended = yield* insertStatement(stamped, yield* currentTraceContext)
        const rows = yield* sql<Row>`
          WITH changed AS (${change}), appended AS (${appended})
          SELECT * FROM changed`
        yield* Effect.annotateCurrentSpan({ "event.type": stamped.eventType, "event.id": stamped.eventId })
        return { event: stamped, rows }
      })

      const appendMany = Effect.fn("Outbox.appendMany")(function* (events: ReadonlyArray<NewTaskEvent>) {
        if (events.length === 0) return []
        const stamped = yield* Effect.forEach(events, stamp)
        const trace = yield* currentTraceContext
        yield* lockUsers(stamped.map((e) => e.userId))
        yield* OutboxTable.insert(
          sql,
          stamped.map((e) => rowOf(e, trace)),
        )
        yield* Effect.annotateCurrentSpan({ "event.count": stamped.length })
        return stamped
      })

      const requeue = Effect.fn("Outbox.requeue")(function* (event: TaskEvent) {
        yield* insert(
          event,
          yield* currentTraceContext,
          sql`ON CONFLICT (event_id) DO UPDATE SET
                published_at = NULL, attempts = 0, last_error = NULL, next_attempt_at = now()`,
        )
        yield* Effect.annotateCurrentSpan({ "event.type": event.eventType, "event.id": event.eventId })
      })
      return Outbox.of({ append, appendWith, appendMany, lockUser, lockUsers, requeue })
    }),
  )
}
