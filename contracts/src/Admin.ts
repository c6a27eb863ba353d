import { Schema } from "effect"
import { Page, TextUpTo, Timestamp } from "./Common.ts"

/** An event the agent gave up on (after the delivery retries), parked for an operator to inspect and replay. */
export const DeadLetter = Schema.Struct({
  id: Schema.String.annotateKey({ description: "The dead letter's id." }),
  eventId: Schema.String.annotateKey({ description: "The parked event's id (a replay keeps it)." }),
  eventType: Schema.NullOr(Schema.String).annotateKey({
    description: "The event's type, e.g. `tasks.created`; null when the envelope carried no readable event.",
  }),
  topic: Schema.String.annotateKey({ description: "The topic it arrived on." }),
  event: Schema.Unknown.annotateKey({ description: "The CloudEvent as delivered (JSON)." }),
  error: Schema.String.annotateKey({ description: "Why its delivery failed, the last time." }),
  attempts: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)).annotateKey({
    description: "How many deliveries failed, over replays too.",
  }),
  firstSeenAt: Timestamp.annotateKey({ description: "When it was first parked." }),
  lastSeenAt: Timestamp.annotateKey({ description: "When it was last parked." }),
  replayedAt: Schema.NullOr(Timestamp).annotateKey({
    description: "When it was last replayed; null if never.",
  }),
}).annotate({
  title: "DeadLetter",
  description: "An event the agents gave up on after the delivery retries, parked for an operator.",
})
export type DeadLetter = typeof DeadLetter.Type

export const DeadLetterPage = Page(DeadLetter).annotate({
  title: "DeadLetterPage",
  description: "A page of dead letters, the most recently parked first.",
})
export const DeadLetterParams = Schema.Struct({
  id: TextUpTo(200).check(Schema.isMinLength(1)).annotateKey({ description: "The dead letter's id." }),
})
