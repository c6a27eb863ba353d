import { Schema } from "effect"
import { Page, Text } from "./Common.ts"

/** An event the agent gave up on (after the delivery retries), parked for an operator to inspect and replay. */
export const DeadLetter = Schema.Struct({
  id: Schema.String,
  eventId: Schema.String,
  eventType: Schema.NullOr(Schema.String),
  topic: Schema.String,
  event: Schema.Unknown,
  error: Schema.String,
  attempts: Schema.Int,
  firstSeenAt: Schema.String,
  lastSeenAt: Schema.String,
  replayedAt: Schema.NullOr(Schema.String),
}).annotate({ title: "DeadLetter" })
export type DeadLetter = typeof DeadLetter.Type

export const DeadLetterPage = Page(DeadLetter).annotate({ title: "DeadLetterPage" })
export const DeadLetterParams = Schema.Struct({
  id: Text.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
})
