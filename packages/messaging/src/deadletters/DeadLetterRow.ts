import type { DeadLetter } from "@todo/contracts"
import { SqlTable } from "@todo/runtime"
import { Schema } from "effect"
import * as Model from "effect/schema/Model"

/**
 * A row of the `dead_letters` table (migration 0001), declared once: the column lists, row decoding and the insert
 * shape of every dead-letter statement derive from it. One row per event id; the database keeps the timestamps.
 */
export class DeadLetterRow extends Model.Class<DeadLetterRow>("DeadLetterRow")({
  id: Model.GeneratedByDb(Schema.String),
  /** The CloudEvent id (= the task event id), or `unidentified-…` for a body that carried none. */
  eventId: Schema.String,
  eventType: Schema.NullOr(Schema.String),
  topic: Schema.String,
  /** The CloudEvent as delivered, or `{ raw }` when the body was not JSON at all. */
  envelope: Schema.Unknown,
  error: Schema.String,
  attempts: Schema.Int,
  firstSeenAt: Model.GeneratedByDb(Schema.Date),
  lastSeenAt: Model.GeneratedByDb(Schema.Date),
  replayedAt: Model.GeneratedByDb(Schema.NullOr(Schema.Date)),
}) {}

export const DeadLetterTable = SqlTable("dead_letters", DeadLetterRow)

/** The operator's view of a row (the admin API's `DeadLetter`). */
export const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  eventId: row.eventId,
  eventType: row.eventType,
  topic: row.topic,
  event: row.envelope,
  error: row.error,
  attempts: row.attempts,
  firstSeenAt: row.firstSeenAt.toISOString(),
  lastSeenAt: row.lastSeenAt.toISOString(),
  replayedAt: row.replayedAt?.toISOString() ?? null,
})
