import { Config, Effect, Layer, Schedule } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

const CHUNK = 5_000

/**
 * Keeps the consumer's bookkeeping bounded: processed event ids and failure counts older than the event log's
 * retention (the outbox keeps events as long; a redelivery or replay of anything older cannot happen) are deleted
 * once an hour, in chunks.
 */
export const ConsumerRetentionLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const days = yield* Config.Int("OUTBOX_RETENTION_DAYS").pipe(Config.withDefault(90))
    const prune = Effect.gen(function* () {
      let total = 0
      // A full chunk means more may be due: the next one follows until a chunk comes back short.
      yield* sql`
        DELETE FROM processed_events WHERE ctid IN (
          SELECT ctid FROM processed_events WHERE processed_at < now() - make_interval(days => ${days}) LIMIT ${CHUNK})
        RETURNING event_id`.pipe(
        Effect.map((rows) => rows.length),
        Effect.tap((n) =>
          Effect.sync(() => {
            total += n
          }),
        ),
        Effect.repeat({ while: (n) => n === CHUNK }),
      )
      yield* sql`DELETE FROM delivery_failures WHERE last_failed_at < now() - make_interval(days => ${days})`
      if (total > 0) yield* Effect.logInfo(`pruned ${total} processed event ids older than ${days} days`)
    })
    yield* prune.pipe(
      Effect.catchCause((cause) => Effect.logWarning("consumer retention prune failed", cause)),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.delay("1 minute"),
      Effect.forkScoped,
    )
  }),
)
