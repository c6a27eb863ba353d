import { randomUUID } from "node:crypto"
import type { TaskEvent } from "@todo/contracts"
import { EventPublisher, PublishError } from "../../src/publish/EventPublisher.ts"
import { CurrentRetryPolicy, retryPolicy } from "../../src/RetryPolicy.ts"
import { Outbox } from "../../src/outbox/Outbox.ts"
import type { OutboxRecord } from "../../src/outbox/OutboxRow.ts"
import { pgClientLayer } from "@todo/runtime"
import { ConfigProvider, Duration, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** Relay settings for tests: a sweep far too slow to explain anything a test sees (only NOTIFY and draining can). */
export const relayConfig = (overrides: Record<string, string> = {}) =>
  ConfigProvider.layer(ConfigProvider.fromUnknown({ OUTBOX_SWEEP_INTERVAL: "60 seconds", ...overrides }))

/** The retry policy with a faster relay backoff, so a test sees several rounds of it in well under a second. */
export const fastBackoff = (base: Duration.Input, max: Duration.Input) =>
  Layer.succeed(CurrentRetryPolicy, {
    ...retryPolicy,
    backoff: { base: Duration.fromInputUnsafe(base), max: Duration.fromInputUnsafe(max) },
  })

/** A database client on `url` (one per simulated replica). */
export const database = (url: string, poolSize = 5) => pgClientLayer(Redacted.make(url), poolSize)

/** Appends `count` tasks.created events for `userId`, each in its own transaction, as TaskService does. */
export const appendEvents = (url: string, userId: string, count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const outbox = yield* Outbox
    const events: Array<TaskEvent> = []
    for (let i = 0; i < count; i++) {
      events.push(
        yield* sql.withTransaction(
          outbox.append({
            eventType: "tasks.created",
            taskId: randomUUID(),
            userId,
            title: `task ${i}`,
            priority: "medium",
            dueDate: null,
            recurring: false,
          }),
        ),
      )
    }
    return events
  }).pipe(Effect.provide(Outbox.layer), Effect.provide(database(url, 2)), Effect.runPromise)

export interface PublishCall {
  readonly relay: string
  readonly record: OutboxRecord
  readonly startedAt: number
  readonly endedAt: number
  readonly ok: boolean
}

/**
 * An EventPublisher that records every call in `calls` (shared across relays), fails while `fail(record)` says so
 * (a transient error, as a sidecar 5xx or connection refused would be) and can hold calls at a gate.
 */
export const recordingPublisher = (
  relay: string,
  calls: Array<PublishCall>,
  options: {
    readonly fail?: (record: OutboxRecord) => boolean
    readonly delayMs?: () => number
    readonly gate?: () => Promise<void>
  } = {},
) =>
  Layer.succeed(
    EventPublisher,
    EventPublisher.of({
      ready: Effect.void,
      publish: (record) =>
        Effect.gen(function* () {
          const startedAt = performance.now()
          if (options.gate) yield* Effect.promise(options.gate)
          const delay = options.delayMs?.() ?? 0
          if (delay > 0) yield* Effect.sleep(delay)
          const ok = !(options.fail?.(record) ?? false)
          calls.push({ relay, record, startedAt, endedAt: performance.now(), ok })
          if (!ok) return yield* new PublishError({ message: "sidecar answered 500", configuration: false })
        }),
    }),
  )

export const newUserId = () => randomUUID()

/** An outbox row as the relay hands it to a publisher: a `tasks.created` of a fresh user and task. */
export const outboxRecord = (overrides: Partial<OutboxRecord> = {}): OutboxRecord => {
  const eventId = randomUUID()
  const userId = randomUUID()
  const taskId = randomUUID()
  return {
    id: "1",
    eventId,
    eventType: "tasks.created",
    userId,
    taskId,
    payload: {
      eventType: "tasks.created",
      eventId,
      taskId,
      userId,
      correlationId: "corr-1",
      timestamp: "2026-01-01T00:00:00.000Z",
      schemaVersion: 1,
      actor: "user",
      title: "t",
      priority: "medium",
      dueDate: null,
      recurring: false,
    },
    correlationId: "corr-1",
    traceparent: null,
    tracestate: null,
    attempts: 0,
    createdAt: new Date(0),
    ...overrides,
  }
}
