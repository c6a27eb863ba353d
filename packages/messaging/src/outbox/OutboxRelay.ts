import { PgClient } from "@effect/sql-pg"
import { Config, Data, Deferred, Duration, Effect, Fiber, Layer, Metric, Queue, Schedule } from "effect"
import { count, eventsPublished, outboxOldestPendingAge, outboxPending } from "@todo/runtime"
import { SqlClient } from "effect/sql/SqlClient"
import { EventPublisher, type PublishError } from "../publish/EventPublisher.ts"
import { OUTBOX_CHANNEL, type OutboxRecord, OutboxTable } from "./OutboxRow.ts"
import { backoffDelay, backoffSchedule, CurrentRetryPolicy } from "../RetryPolicy.ts"
import { parentSpanOf } from "../TraceContext.ts"

export interface RelayOptions {
  /** Users claimed per batch (each with up to this many of its pending events in total). */
  readonly batchSize: number
  /** Publishes to distinct users in parallel; one user's events always go one after another. */
  readonly concurrency: number
  /** Safety-net sweep when no NOTIFY arrives (a missed notification, a row whose backoff elapsed). */
  readonly sweepInterval: Duration.Input
  readonly retentionDays: number
  /** How long shutdown waits for the batch in flight (bounded anyway by the publisher's own timeout). */
  readonly shutdownTimeout: Duration.Input
}

export const RelayConfig = Config.all({
  batchSize: Config.Int("OUTBOX_BATCH_SIZE").pipe(Config.withDefault(100)),
  concurrency: Config.Int("OUTBOX_CONCURRENCY").pipe(Config.withDefault(8)),
  sweepInterval: Config.Duration("OUTBOX_SWEEP_INTERVAL").pipe(Config.withDefault(Duration.seconds(2))),
  retentionDays: Config.Int("OUTBOX_RETENTION_DAYS").pipe(Config.withDefault(90)),
  shutdownTimeout: Config.Duration("OUTBOX_SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
})

/** A batch published nothing although it tried: the sidecar (or broker) is probably down. */
class NothingPublished extends Data.TaggedError("NothingPublished")<{ readonly failed: number }> {}

export interface BatchResult {
  readonly claimed: number
  readonly published: number
  readonly failed: number
  /** A failure (or shutdown) stopped the batch before every claimed row was tried; the rest stay pending. */
  readonly halted: boolean
}

/** Publishes failing one after another (with no success between) that stop a batch. */
const HALT_AFTER_FAILURES = 2

/**
 * Claims a batch of pending outbox rows and publishes them, in one transaction that holds the rows' locks.
 *
 * Claiming: a user's *head* (its earliest pending row) is claimable when it is due and not locked by another relay
 * (`FOR UPDATE SKIP LOCKED`); with it the relay takes that user's following pending rows. A relay only ever works
 * on a user while it holds that user's head, so two relays (API replicas) never publish one user's events at the
 * same time, and a user's later event is never published before an earlier one that is still pending (in flight
 * elsewhere, or waiting out its backoff).
 *
 * Publishing: users in parallel, each user's rows in id order (commit order, see Outbox); a user's first failure
 * stops that user. Two failures in a row (no success between them) stop the batch from starting new publishes:
 * the sidecar is probably down (publishes in flight finish); so does `stopping()`. A failed row records the attempt;
 * it waits out a per-row backoff only when other rows of the batch went through (a problem with that event), not
 * when nothing did (a problem with the sidecar: the relay as a whole backs off instead, and retries everything as
 * soon as it is back). Both backoffs are the retry policy's (`backoffSchedule`).
 */
export const relayBatch = (
  options: Pick<RelayOptions, "batchSize" | "concurrency">,
  stopping: () => boolean = () => false,
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const publisher = yield* EventPublisher
    const policy = yield* CurrentRetryPolicy
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        // Heads: each user's earliest pending row, found by walking the pending users (a loose index scan of
        // outbox_pending_user) rather than the whole backlog, so a claim stays cheap with 100 000 rows pending.
        // Followers: each claimed user's next pending rows (an index range per user), at most batchSize in all.
        const claimed = yield* sql`
          WITH RECURSIVE pending_users AS (
            (SELECT user_id FROM outbox WHERE published_at IS NULL ORDER BY user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT o.user_id FROM outbox o
                    WHERE o.published_at IS NULL AND o.user_id > u.user_id ORDER BY o.user_id LIMIT 1)
            FROM pending_users u WHERE u.user_id IS NOT NULL
          ), candidates AS (
            SELECT (SELECT o.id FROM outbox o WHERE o.user_id = u.user_id AND o.published_at IS NULL
                    ORDER BY o.id LIMIT 1) AS id
            FROM pending_users u WHERE u.user_id IS NOT NULL
          ), heads AS (
            SELECT o.id, o.user_id FROM outbox o
            WHERE o.id IN (SELECT id FROM candidates) AND o.published_at IS NULL AND o.next_attempt_at <= now()
            ORDER BY o.id
            LIMIT ${options.batchSize}
            FOR UPDATE OF o SKIP LOCKED
          ), followers AS (
            SELECT f.id FROM heads h
            CROSS JOIN LATERAL (
              SELECT n.id FROM outbox n WHERE n.user_id = h.user_id AND n.published_at IS NULL AND n.id > h.id
              ORDER BY n.id LIMIT ${options.batchSize}) next
            JOIN outbox f ON f.id = next.id
            ORDER BY f.id
            LIMIT ${options.batchSize}
            FOR UPDATE OF f
          )
          SELECT ${sql.literal(OutboxTable.columns)}
          FROM outbox
          WHERE id IN (SELECT id FROM heads UNION ALL SELECT id FROM followers)
          ORDER BY id`
        if (claimed.length === 0) return { claimed: 0, published: 0, failed: 0, halted: false } as BatchResult
        const rows = yield* OutboxTable.decodeAll(claimed)
        const byUser = new Map<string, Array<OutboxRecord>>()
        for (const row of rows) {
          const list = byUser.get(row.userId) ?? []
          list.push(row)
          byUser.set(row.userId, list)
        }
        const published: Array<string> = []
        const failed: Array<{ record: OutboxRecord; error: PublishError }> = []
        let halted = false
        let failuresInARow = 0
        yield* Effect.forEach(
          byUser.values(),
          (records) =>
            Effect.gen(function* () {
              for (const record of records) {
                if (halted || stopping()) {
                  halted = true
                  return
                }
                const result = yield* publishOne(publisher, record).pipe(Effect.result)
                if (result._tag === "Success") {
                  published.push(record.id)
                  failuresInARow = 0
                } else {
                  failed.push({ record, error: result.failure })
                  // One failure may be that event's own problem; two in a row, the sidecar's.
                  if (++failuresInARow >= HALT_AFTER_FAILURES) halted = true
                  return
                }
              }
            }),
          { concurrency: options.concurrency, discard: true },
        )
        if (published.length > 0) {
          yield* sql`UPDATE outbox SET published_at = now(), last_error = NULL WHERE ${sql.in("id", published)}`
        }
        for (const { record, error } of failed) {
          const delay =
            published.length > 0 ? Duration.toMillis(yield* backoffDelay(policy, record.attempts + 1)) : 0
          yield* sql`
            UPDATE outbox SET attempts = attempts + 1, last_error = ${error.message},
                   next_attempt_at = now() + make_interval(secs => ${delay / 1000})
            WHERE id = ${record.id}`
          yield* Effect.logWarning(
            `publishing ${record.eventType} ${record.eventId} failed (attempt ${record.attempts + 1})${
              delay > 0 ? `; this event waits ${delay} ms` : ""
            }: ${error.message}`,
          )
        }
        return {
          claimed: rows.length,
          published: published.length,
          failed: failed.length,
          halted,
        } as BatchResult
      }),
    )
  }).pipe(Effect.withSpan("outbox.relayBatch"))

/** One publish, as a span that continues the trace of the request that wrote the event. */
const publishOne = (publisher: EventPublisher["Service"], record: OutboxRecord) => {
  const parent = parentSpanOf(record.traceparent)
  return publisher.publish(record).pipe(
    Effect.tap(() => count(eventsPublished, { type: record.eventType, outcome: "published" })),
    Effect.tapError((e: PublishError) =>
      count(eventsPublished, {
        type: record.eventType,
        outcome: e.configuration ? "misconfigured" : "failed",
      }),
    ),
    Effect.withSpan("outbox.publish", {
      kind: "producer",
      attributes: {
        "event.type": record.eventType,
        "event.id": record.eventId,
        "correlation.id": record.correlationId,
        "outbox.attempts": record.attempts,
      },
      ...(parent ? { parent } : {}),
    }),
  )
}

const PRUNE_CHUNK = 5_000

/** Deletes published rows older than the retention period, a chunk at a time (no long lock, no huge WAL burst). */
export const pruneOutbox = (retentionDays: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    let total = 0
    // A full chunk means more may be due: the next one follows until a chunk comes back short.
    yield* sql<{ n: number }>`
      WITH pruned AS (
        DELETE FROM outbox WHERE id IN (
          SELECT id FROM outbox WHERE published_at < now() - make_interval(days => ${retentionDays})
          ORDER BY published_at LIMIT ${PRUNE_CHUNK})
        RETURNING 1)
      SELECT count(*)::int AS n FROM pruned`.pipe(
      Effect.map(([row]) => row?.n ?? 0),
      Effect.tap((n) =>
        Effect.sync(() => {
          total += n
        }),
      ),
      Effect.repeat({ while: (n) => n === PRUNE_CHUNK }),
    )
    return total
  }).pipe(Effect.withSpan("outbox.prune"))

/**
 * The relay as a background layer.
 * - Wakes on NOTIFY on `outbox` (sent after commit by the writer's `Notifier`, or at commit by the outbox trigger for
 *   a writer that does not defer); sweeps every `sweepInterval` as a safety net. A lost
 *   LISTEN connection is re-established with backoff (and followed by one sweep: notifications may have been missed).
 * - Drains: batch after batch while there is work.
 * - While publishing fails outright, backs off as a whole (exponential, jittered, capped) and ignores wake-ups, so a
 *   write burst during a sidecar outage does not hammer it; the events wait in the outbox.
 * - Shutdown: stops claiming, lets the batch in flight finish its publishes already started and commit, then ends
 *   (bounded by `shutdownTimeout`). Whatever was not marked published is published again by the next relay.
 * - Prunes published rows past the retention period at start and hourly.
 */
export const OutboxRelayLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const options = yield* RelayConfig
    const pg = yield* PgClient.PgClient
    const publisher = yield* EventPublisher
    const wake = yield* Queue.sliding<void>(1)
    const stop = yield* Deferred.make<void>()
    let stopping = false
    const policy = yield* CurrentRetryPolicy

    // LISTEN: connecting is retried on the backoff schedule (sweeps cover the gap); a connection that worked and
    // was lost is re-established at once, its schedule starting afresh. Every (re)connect is followed by one sweep:
    // notifications may have been missed.
    let listenFailures = 0
    const connect = pg.listen(OUTBOX_CHANNEL).pipe(
      Effect.tapCause((cause) =>
        ++listenFailures === 1
          ? Effect.logWarning("outbox LISTEN failed; sweeping meanwhile", cause)
          : Effect.void,
      ),
      Effect.retry(backoffSchedule(policy)),
    )
    const listen = Effect.scoped(
      Effect.gen(function* () {
        const notifications = yield* connect
        if (listenFailures > 0) yield* Effect.logInfo("outbox LISTEN re-established")
        listenFailures = 0
        yield* Queue.offer(wake, undefined)
        return yield* Queue.take(notifications).pipe(
          Effect.flatMap(() => Queue.offer(wake, undefined)),
          Effect.forever,
        )
      }),
    )
    yield* listen.pipe(
      Effect.catchCause((cause) => Effect.logWarning("outbox LISTEN connection lost; reconnecting", cause)),
      Effect.forever,
      Effect.forkScoped,
    )

    const stopped = Deferred.await(stop)
    const batch = relayBatch(options, () => stopping).pipe(
      Effect.uninterruptible,
      Effect.catchCause((cause) =>
        Effect.logError("outbox relay batch failed", cause).pipe(Effect.as(undefined)),
      ),
    )

    // While publishing fails outright (a batch that published nothing), the relay backs off as a whole on the
    // policy's schedule, ignoring wake-ups; the first batch that goes through ends the retry, and the next failure
    // starts the schedule afresh.
    let failedBatches = 0
    const publishing = batch.pipe(
      Effect.flatMap((result) =>
        result !== undefined && result.failed > 0 && result.published === 0
          ? Effect.fail(new NothingPublished({ failed: result.failed }))
          : Effect.succeed(result),
      ),
      Effect.retry({
        schedule: backoffSchedule(policy).pipe(
          Schedule.tap(({ duration }) => {
            failedBatches++
            return failedBatches === 1 || failedBatches % 10 === 0
              ? Effect.logWarning(
                  `publishing fails (${failedBatches} batches in a row); backing off ${Duration.format(duration)}`,
                )
              : Effect.void
          }),
        ),
        while: () => !stopping,
      }),
      Effect.tap(() =>
        failedBatches > 0
          ? Effect.logInfo(`publishing works again after ${failedBatches} failed batches`).pipe(
              Effect.andThen(
                Effect.sync(() => {
                  failedBatches = 0
                }),
              ),
            )
          : Effect.void,
      ),
      Effect.catchTag("NothingPublished", () => Effect.succeed(undefined)),
    )

    const loop = Effect.gen(function* () {
      yield* Effect.raceFirst(publisher.ready, stopped)
      while (!stopping) {
        // Racing `stopped` cuts a backoff short; a batch in flight is uninterruptible and commits first.
        const result = yield* Effect.raceFirst(publishing, Effect.as(stopped, undefined))
        if (stopping) break
        if (result === undefined) {
          yield* Effect.raceFirst(Effect.sleep(options.sweepInterval), stopped)
          continue
        }
        if (result.halted || result.claimed >= options.batchSize) continue
        yield* Effect.raceAllFirst([Queue.take(wake), Effect.sleep(options.sweepInterval), stopped])
      }
    })
    const relay = yield* Effect.forkScoped(loop)

    // Runs before the scope interrupts the fiber above (finalizers run last-added first).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        stopping = true
        yield* Deferred.succeed(stop, undefined)
        yield* Effect.logDebug("outbox relay stopping: finishing the batch in flight, claiming no more")
        yield* Fiber.await(relay).pipe(Effect.timeoutOption(options.shutdownTimeout))
      }),
    )

    yield* pruneOutbox(options.retentionDays).pipe(
      Effect.tap((n) => (n > 0 ? Effect.logInfo(`pruned ${n} published outbox rows`) : Effect.void)),
      Effect.catchCause((cause) => Effect.logWarning("outbox prune failed", cause)),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.forkScoped,
    )
    // Backlog gauges for /metrics: how many events wait, and for how long the oldest has.
    const sql = yield* SqlClient
    yield* sql<{ pending: number; oldest: number | null }>`
      SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest
      FROM outbox WHERE published_at IS NULL`.pipe(
      Effect.flatMap(([row]) =>
        Effect.all([
          Metric.update(outboxPending, row?.pending ?? 0),
          Metric.update(outboxOldestPendingAge, row?.oldest ?? 0),
        ]),
      ),
      Effect.catchCause(() => Effect.void),
      Effect.repeat(Schedule.spaced("10 seconds")),
      Effect.forkScoped,
    )
    yield* Effect.logDebug("outbox relay started")
  }).pipe(Effect.annotateLogs({ component: "outbox-relay" })),
)
