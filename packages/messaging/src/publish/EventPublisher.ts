import { Context, type Effect, Schema } from "effect"
import type { OutboxRecord } from "../outbox/OutboxRow.ts"

/**
 * Publishing failed. `configuration` marks failures an operator must fix (unknown pubsub component, topic not
 * allowed, bad token): still retried, since the event must not be lost, but logged loudly.
 */
export class PublishError extends Schema.TaggedError<PublishError>()("PublishError", {
  message: Schema.String,
  configuration: Schema.Boolean,
  status: Schema.optionalKey(Schema.Int),
}) {}

/**
 * Where the outbox relay hands events: the Dapr sidecar in the cloud (packages/api DaprPublisher), the in-process
 * bus on one machine. Swapped at the composition root; nothing else knows which.
 */
export class EventPublisher extends Context.Service<
  EventPublisher,
  {
    readonly publish: (record: OutboxRecord) => Effect.Effect<void, PublishError>
    /** Waits (bounded) until publishing can be expected to work, e.g. the sidecar's outbound health. */
    readonly ready: Effect.Effect<void>
  }
>()("@todo/messaging/EventPublisher") {}
