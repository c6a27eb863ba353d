import { type DeadLetter, decodeTaskEvent } from "@todo/contracts"
import {
  count,
  deadLetters,
  type HttpMeaning,
  isoMicros,
  keysetPage,
  type KeysetPosition,
  meaning,
} from "@todo/runtime"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { DeliveryFailureTable } from "../delivery/DeliveryFailureRow.ts"
import { Outbox } from "../outbox/Outbox.ts"
import { DeadLetterTable, toDeadLetter } from "./DeadLetterRow.ts"

export class DeadLetterNotFound extends Schema.TaggedError<DeadLetterNotFound>()("DeadLetterNotFound", {
  deadLetterId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "dead-letter-not-found", "No such dead letter.")
  }
}

/** The parked envelope carries no valid task event (it was dead-lettered as malformed): nothing to replay. */
export class DeadLetterNotReplayable extends Schema.TaggedError<DeadLetterNotReplayable>()(
  "DeadLetterNotReplayable",
  { deadLetterId: Schema.String, message: Schema.String },
) {
  get httpMeaning(): HttpMeaning<409> {
    return meaning(409, "dead-letter-not-replayable", `${this.message}; delete it instead.`)
  }
}

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

/** Where the next page of the list starts: the last row's `last_seen_at` (microseconds, ISO text) and id. */
export type DeadLetterPosition = KeysetPosition<string>

/** A parked envelope's `data`, where a task event should be. */
const decodeData = Schema.decodeUnknownEffect(Schema.Struct({ data: Schema.Unknown }))

/** The list's sort key as exact text, selected beside the row. */
const decodePosition = (row: unknown) =>
  Schema.decodeUnknownEffect(Schema.Struct({ position: Schema.String }))(row).pipe(
    Effect.map((r) => r.position),
    Effect.orDie,
  )

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
    /** Newest first (by last seen), `limit` at a time, starting after `after`. */
    readonly list: (page: {
      readonly limit?: number
      readonly after?: DeadLetterPosition
    }) => Effect.Effect<
      { readonly items: ReadonlyArray<DeadLetter>; readonly next: DeadLetterPosition | null },
      SqlError
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
>()("@todo/messaging/DeadLetters") {
  /** Needs an Outbox only for `replay` (the API); the agent's parking side gets one too, it costs nothing. */
  static readonly layer = Layer.effect(
    DeadLetters,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const columns = sql.literal(DeadLetterTable.columns)
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

      const park = Effect.fn("DeadLetters.park")(function* (event: ParkedEvent) {
        yield* count(deadLetters, { topic: event.topic })
        const eventId = field(event.envelope, "id") ?? `unidentified-${crypto.randomUUID()}`
        const failure = yield* DeliveryFailureTable.decodeFirst(
          yield* sql`
            SELECT ${sql.literal(DeliveryFailureTable.columns)} FROM delivery_failures WHERE event_id = ${eventId}
            ORDER BY last_failed_at DESC LIMIT 1`,
        )
        // Attempts are a total (the consumer's cumulative count), so a duplicate delivery of the same dead letter
        // changes nothing but last_seen_at; only a new failure (after a replay) clears replayed_at.
        const inserted = yield* DeadLetterTable.insert(
          sql,
          [
            {
              eventId,
              eventType: field(event.envelope, "type"),
              topic: event.topic,
              envelope: event.envelope,
              error: Option.match(failure, { onNone: () => event.error, onSome: (f) => f.lastError }),
              attempts: Option.match(failure, { onNone: () => event.attempts, onSome: (f) => f.attempts }),
            },
          ],
          {
            tail: sql`
            ON CONFLICT (event_id) DO UPDATE SET
              attempts = greatest(dead_letters.attempts, excluded.attempts), error = excluded.error,
              last_seen_at = now(), envelope = excluded.envelope,
              replayed_at = CASE WHEN excluded.attempts > dead_letters.attempts THEN NULL
                                 ELSE dead_letters.replayed_at END
            RETURNING ${columns}`,
          },
        )
        const row = yield* DeadLetterTable.decodeSingle(inserted)
        yield* Effect.logWarning(`dead letter ${eventId}: ${row.error}`)
        return toDeadLetter(row)
      })

      const list = Effect.fn("DeadLetters.list")(function* (page: {
        readonly limit?: number
        readonly after?: DeadLetterPosition
      }) {
        const limit = page.limit ?? 50
        const after =
          page.after === undefined
            ? sql``
            : sql`WHERE (last_seen_at, id) < (${page.after.key}, ${page.after.id})`
        const rows = yield* sql`
          SELECT ${columns}, ${sql.literal(isoMicros("last_seen_at"))} AS position
          FROM dead_letters ${after} ORDER BY last_seen_at DESC, id DESC LIMIT ${limit + 1}`
        const decoded = yield* Effect.forEach(rows, (row) =>
          Effect.zip(DeadLetterTable.decode(row), decodePosition(row)),
        )
        return keysetPage(
          decoded.map(([letter, position]) => ({ id: letter.id, letter, position })),
          limit,
          (r) => r.position,
          (r) => toDeadLetter(r.letter),
        )
      })

      const find = Effect.fn("DeadLetters.find")(function* (id: string) {
        if (!uuid.test(id)) return Option.none()
        const found = yield* DeadLetterTable.decodeFirst(
          yield* sql`SELECT ${columns} FROM dead_letters WHERE id = ${id}`,
        )
        return Option.map(found, toDeadLetter)
      })

      const replay = Effect.fn("DeadLetters.replay")(function* (id: string) {
        if (!uuid.test(id)) return yield* new DeadLetterNotFound({ deadLetterId: id })
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            const found = yield* DeadLetterTable.decodeFirst(
              yield* sql`SELECT ${columns} FROM dead_letters WHERE id = ${id} FOR UPDATE`,
            )
            if (Option.isNone(found)) return yield* new DeadLetterNotFound({ deadLetterId: id })
            const event = yield* decodeData(found.value.envelope).pipe(
              Effect.flatMap(({ data }) => decodeTaskEvent(data)),
              Effect.mapError(
                (e) =>
                  new DeadLetterNotReplayable({
                    deadLetterId: id,
                    message: `the parked event is not a valid task event: ${e.message.split("\n")[0]}`,
                  }),
              ),
            )
            yield* outbox.requeue(event)
            const replayed = yield* DeadLetterTable.decodeSingle(
              yield* sql`UPDATE dead_letters SET replayed_at = now() WHERE id = ${id} RETURNING ${columns}`,
            )
            yield* Effect.logInfo(`dead letter ${found.value.eventId} replayed through the outbox`)
            return toDeadLetter(replayed)
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
