import { SqlTable } from "@todo/runtime"
import { Schema } from "effect"
import * as Model from "effect/schema/Model"

/**
 * A row of `delivery_failures` (migration 0001): how often, and why last, a consumer failed an event. Counted
 * outside the handlers' rolled-back transaction, so the dead letter the transport eventually parks can say it.
 */
export class DeliveryFailureRow extends Model.Class<DeliveryFailureRow>("DeliveryFailureRow")({
  consumer: Schema.String,
  eventId: Schema.String,
  attempts: Schema.Int,
  lastError: Schema.String,
  firstFailedAt: Model.GeneratedByDb(Schema.Date),
  lastFailedAt: Model.GeneratedByDb(Schema.Date),
}) {}

export const DeliveryFailureTable = SqlTable("delivery_failures", DeliveryFailureRow)
