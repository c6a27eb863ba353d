import { TaskEvent, TaskEventType } from "@todo/contracts"
import { BigIntAsString, SqlTable } from "@todo/runtime"
import { Schema } from "effect"
import * as Model from "effect/schema/Model"

/**
 * A row of the `outbox` table (migration 0001), declared once: the column lists, row decoding and the insert shape
 * of every outbox statement derive from it. The writer inserts the event and its envelope; the database numbers the
 * row (commit order per user) and keeps the relay's bookkeeping.
 */
export class OutboxRow extends Model.Class<OutboxRow>("OutboxRow")({
  id: Model.GeneratedByDb(BigIntAsString),
  eventId: Schema.String,
  eventType: TaskEventType,
  userId: Schema.String,
  taskId: Schema.String,
  /** The task event as the contract encodes it; decoded back through the same codec. */
  payload: TaskEvent,
  correlationId: Schema.String,
  /** The W3C trace context of the span that wrote the event, continued by the publish. */
  traceparent: Schema.NullOr(Schema.String),
  tracestate: Schema.NullOr(Schema.String),
  createdAt: Model.GeneratedByDb(Schema.Date),
  publishedAt: Model.GeneratedByDb(Schema.NullOr(Schema.Date)),
  attempts: Model.GeneratedByDb(Schema.Int),
  lastError: Model.GeneratedByDb(Schema.NullOr(Schema.String)),
  nextAttemptAt: Model.GeneratedByDb(Schema.Date),
}) {}

export const OutboxTable = SqlTable("outbox", OutboxRow)

/** The channel that wakes the relays when outbox rows commit (the outbox trigger's, and the writers' Notifier). */
export const OUTBOX_CHANNEL = "outbox"

/** What a publisher is handed: an outbox row without the relay's bookkeeping. */
export type OutboxRecord = Omit<OutboxRow, "publishedAt" | "lastError" | "nextAttemptAt">
