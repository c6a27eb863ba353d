/** Dapr sidecar simulator (test-only). See README.md in this folder. */
export { Broker, type BrokerOptions, type BrokerRecord, BrokerUnavailableError } from "./Broker.ts"
export {
  DaprMesh,
  type DaprMeshOptions,
  type LogFilter,
  type SidecarDefaults,
  startSidecar,
  type WaitOptions,
} from "./DaprMesh.ts"
export { DaprMeshTest } from "./DaprMeshTest.ts"
export type { ResiliencyOptions } from "./Delivery.ts"
export type {
  AttemptOutcome,
  DeliveryAttempt,
  DeliveryReason,
  DeliveryResult,
  DeliveryResultKind,
  PublishRequestLog,
} from "./MeshLog.ts"
export { DEFAULT_RESILIENCY, Sidecar, type SidecarOptions } from "./Sidecar.ts"
export { type HttpAnswer, httpCall, type PublishOptions, publishOverHttp } from "./SidecarHttp.ts"
export type { Subscription, SubscriptionRule } from "./Subscriptions.ts"
export { EMPTY_TRACEPARENT, parseTraceparent, type TraceContext } from "./TraceParent.ts"
