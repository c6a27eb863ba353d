import { type DeadLetter, decodeTaskEvent } from "@todo/contracts"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { count, deadLetters } from "@todo/runtime/Metrics"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { decodeCursor, pageOf } from "../Cursor.ts"
import { InvalidCursor } from "../Errors.ts"
import { isoMicros } from "@todo/runtime/sql/Keyset"
import { Outbox } from "../outbox/Outbox.ts"

export class DeadLetterNotFound extends Schema.TaggedError<DeadLetterNotFound>()("DeadLetterNotFound", {
  deadLetterId: Schema.String,
}) {}

/** The parked envelope carries no valid task event (it was dead-lettered as malformed): nothing to replay. */
export class DeadLetterNotReplayable extends Schema.TaggedError<DeadLetterNotReplayable>()(
  "DeadLetterNotReplayable",
  { deadLetterId: Schema.String, message: Schema.String },
) {}

export interface ParkedEvent {
  /** The CloudEvent as delivered (or `{ raw }` when the body was not JSON at all). */
  readonly envelope: unknown
  readonly topic: string
  /**
   * What the transport knows. The consumer's own record of failed attempts (`delivery_failures`, cumulative over
   * replays) wins when there is one: it has the handler's error and the full count.
   */
  readonly error: string
  readonly attempts: number
}

interface DeadLetterRow {
  readonly id: string
  readonly event_id: string
  readonly event_type: string | null
  readonly topic: string
  readonly envelope: unknown
  readonly error: string
  readonly attempts: number
  readonly first_seen_at: Date
  readonly last_seen_at: Date
  readonly replayed_at: Date | null
}

const toDeadLetter = (r: DeadLetterRow): DeadLetter => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  topic: r.topic,
  event: typeof r.envelope === "string" ? JSON.parse(r.envelope) : r.envelope,
  error: r.error,
  attempts: r.attempts,
  firstSeenAt: r.first_seen_at.toISOString(),
  lastSeenAt: r.last_seen_at.toISOString(),
  replayedAt: r.replayed_at?.toISOString() ?? null,
})

const field = (envelope: unknown, key: string): string | null => {
  if (typeof envelope !== "object" || envelope === null) return null
  const value = (envelope as Record<string, unknown>)[key]
  return typeof value === "string" && value !== "" ? value : null
}

/**
 * The dead-letter table: where the agent's DLQ subscription and the in-process bus park events, and what an operator
 * lists, replays (through the outbox, with the original event id) and removes.
 */
export class DeadLetters extends Context.Service<
  DeadLetters,
  {
    readonly park: (event: ParkedEvent) => Effect.Effect<DeadLetter, SqlError>
    readonly list: (query: {
      readonly limit?: number
      readonly cursor?: string
    }) => Effect.Effect<
      { items: ReadonlyArray<DeadLetter>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly find: (id: string) => Effect.Effect<Option.Option<DeadLetter>, SqlError>
    /**
     * Re-enqueues the parked event through the outbox with its original id and stamps `replayed_at`, in one
     * transaction. The dead letter stays (with `replayed_at`) until removed; if the replay fails again it is parked
     * again, `replayed_at` cleared.
     */
    readonly replay: (
      id: string,
    ) => Effect.Effect<DeadLetter, SqlError | DeadLetterNotFound | DeadLetterNotReplayable>
    readonly remove: (id: string) => Effect.Effect<void, SqlError | DeadLetterNotFound>
  }
>()("@todo/core/DeadLetters") {
  /** Needs an Outbox only for `replay` (the API); the agent's parking side gets one too, it costs nothing. */
  static readonly layer = Layer.effect(
    DeadLetters,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const columns = sql.literal(
        "id, event_id, event_type, topic, envelope, error, attempts, first_seen_at, last_seen_at, replayed_at",
      )
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

      const park = Effect.fn("DeadLetters.park")(function* (event: ParkedEvent) {
        yield* count(deadLetters, { topic: event.topic })
        const eventId = field(event.envelope, "id") ?? `unidentified-${crypto.randomUUID()}`
        // Attempts are a total (the consumer's cumulative count), so a duplicate delivery of the same dead letter
        // changes nothing but last_seen_at; only a new failure (after a replay) clears replayed_at.
        const [row] = yield* sql<DeadLetterRow>`
          WITH failures AS (
            SELECT attempts, last_error FROM delivery_failures WHERE event_id = ${eventId}
            ORDER BY last_failed_at DESC LIMIT 1)
          INSERT INTO dead_letters (event_id, event_type, topic, envelope, error, attempts)
          SELECT ${eventId}, ${field(event.envelope, "type")}, ${event.topic}, ${JSON.stringify(event.envelope)}::jsonb,
                 coalesce((SELECT last_error FROM failures), ${event.error}),
                 coalesce((SELECT attempts FROM failures), ${event.attempts})
          ON CONFLICT (event_id) DO UPDATE SET
            attempts = greatest(dead_letters.attempts, excluded.attempts), error = excluded.error,
            last_seen_at = now(), envelope = excluded.envelope,
            replayed_at = CASE WHEN excluded.attempts > dead_letters.attempts THEN NULL
                               ELSE dead_letters.replayed_at END
          RETURNING ${columns}`
        yield* Effect.logWarning(`dead letter ${eventId}: ${row!.error}`)
        return toDeadLetter(row!)
      })

      const list = Effect.fn("DeadLetters.list")(function* (query: {
        readonly limit?: number
        readonly cursor?: string
      }) {
        const limit = query.limit ?? 50
        let after = sql``
        if (query.cursor !== undefined) {
          const c = decodeCursor(query.cursor, "dead-letters")
          if (c instanceof InvalidCursor) return yield* c
          after = sql`WHERE (last_seen_at, id) < (${c.v}, ${c.id})`
        }
        const rows = yield* sql<DeadLetterRow & { cursor_at: string }>`
          SELECT ${columns}, ${sql.literal(isoMicros("last_seen_at"))} AS cursor_at
          FROM dead_letters ${after} ORDER BY last_seen_at DESC, id DESC LIMIT ${limit + 1}`
        return pageOf(rows, limit, "dead-letters", (r) => r.cursor_at, toDeadLetter)
      })

      const find = Effect.fn("DeadLetters.find")(function* (id: string) {
        if (!uuid.test(id)) return Option.none()
        const rows = yield* sql<DeadLetterRow>`SELECT ${columns} FROM dead_letters WHERE id = ${id}`
        return Option.map(Option.fromNullishOr(rows[0]), toDeadLetter)
      })

      const replay = Effect.fn("DeadLetters.replay")(function* (id: string) {
        if (!uuid.test(id)) return yield* new DeadLetterNotFound({ deadLetterId: id })
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            const [found] =
              yield* sql<DeadLetterRow>`SELECT ${columns} FROM dead_letters WHERE id = ${id} FOR UPDATE`
            if (found === undefined) return yield* new DeadLetterNotFound({ deadLetterId: id })
            const envelope = typeof found.envelope === "string" ? JSON.parse(found.envelope) : found.envelope
            const data = typeof envelope === "object" && envelope !== null ? envelope.data : undefined
            const event = yield* decodeTaskEvent(data).pipe(
              Effect.mapError(
                (e) =>
                  new DeadLetterNotReplayable({
                    deadLetterId: id,
                    message: `the parked event is not a valid task event: ${e.message.split("\n")[0]}`,
                  }),
              ),
            )
            yield* outbox.requeue(event)
            const [row] = yield* sql<DeadLetterRow>`
              UPDATE dead_letters SET replayed_at = now() WHERE id = ${id} RETURNING ${columns}`
            yield* Effect.logInfo(`dead letter ${found.event_id} replayed through the outbox`)
            return toDeadLetter(row!)
          }),
        )
      })

      const remove = Effect.fn("DeadLetters.remove")(function* (id: string) {
        const rows = uuid.test(id) ? yield* sql`DELETE FROM dead_letters WHERE id = ${id} RETURNING id` : []
        if (rows.length === 0) return yield* new DeadLetterNotFound({ deadLetterId: id })
      })

      return DeadLetters.of({ park, list, find, replay, remove })
    }),
  ).pipe(Layer.provide(Outbox.layer))
}
