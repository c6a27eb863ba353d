import type { DeliveryStatus } from "@todo/contracts"
import { Context, type Effect } from "effect"

/** What a subscriber knows about one delivery besides the envelope: the transport's trace context and attempt. */
export interface DeliveryContext {
  /** `traceparent` of the delivery request (the subscriber-side sidecar's span), if any. */
  readonly traceparent?: string | undefined
  readonly tracestate?: string | undefined
  readonly topic: string
}

/** What the consumer made of one delivery: what the transport should do with it, and why (for logs, dead letters). */
export interface Delivered {
  readonly status: DeliveryStatus
  readonly reason: string
}

/**
 * The subscriber side of the bus: handles one delivered CloudEvent and says what the transport should do with it
 * (as daprd reads the answer: SUCCESS acks, RETRY retries, DROP dead-letters). The agent implements it; the Dapr subscription
 * route and the in-process bus both call it. A RETRY or DROP is also recorded by the consumer (`delivery_failures`)
 * so that the dead letter the transport eventually parks says how often and why the event failed.
 */
export class EventConsumer extends Context.Service<
  EventConsumer,
  {
    readonly deliver: (envelope: unknown, context: DeliveryContext) => Effect.Effect<Delivered>
  }
>()("@todo/messaging/EventConsumer") {}
