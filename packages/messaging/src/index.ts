/**
 * @todo/messaging: the event path, from the transaction that writes an event to the handler that reacts to it.
 * This is its whole public surface; the composition roots (api, agent, app) and the domain (core) use nothing else.
 */

// Writing: the transactional outbox the domain appends to inside its own transactions.
export { CurrentActor, type NewTaskEvent, Outbox } from "./outbox/Outbox.ts"
export type { OutboxRecord } from "./outbox/OutboxRow.ts"

// Relaying: the outbox relay and the port it publishes through, with its two transports.
export { OutboxRelayLive } from "./outbox/OutboxRelay.ts"
export { EventPublisher, PublishError } from "./publish/EventPublisher.ts"
export { DaprPublisherLive } from "./publish/DaprPublisher.ts"
export { InProcessBusLive } from "./publish/InProcessBus.ts"

// Delivering: the consumer port and pipeline, the handler registry, the Dapr subscription routes, retention.
export { type Delivered, type DeliveryContext, EventConsumer } from "./delivery/EventConsumer.ts"
export { EventDeliveryLive } from "./delivery/EventDelivery.ts"
export { type EventHandler, type HandlerContext, HandlerRegistry } from "./delivery/HandlerRegistry.ts"
export { SUBSCRIPTION_PATTERNS, SubscriptionRoutes } from "./delivery/SubscriptionRoutes.ts"
export { ConsumerRetentionLive } from "./delivery/Retention.ts"

// Dead letters: parked by the delivery side, listed, replayed and removed by an operator.
export {
  DeadLetterNotFound,
  DeadLetterNotReplayable,
  type DeadLetterPosition,
  DeadLetters,
} from "./deadletters/DeadLetters.ts"

// Correlation: background runs get an id of their own (requests and deliveries already carry one).
export { withNewCorrelationId } from "./Correlation.ts"

// The retry policy: one value behind the relay's backoff, the in-process bus and the chart's Dapr Resiliency.
export { CurrentRetryPolicy, daprResiliencyPolicies, type RetryPolicy, retryPolicy } from "./RetryPolicy.ts"
