import { Schema } from "effect"

/**
 * The CloudEvents 1.0 envelope a Dapr sidecar delivers (docs/dapr.md §1 for the envelope daprd builds, §2 for the delivery). Only what the agent relies on is
 * required; the rest is carried through. `data` is decoded separately with the task event codec.
 */
export const CloudEvent = Schema.Struct({
  id: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  source: Schema.String,
  type: Schema.String,
  specversion: Schema.String,
  datacontenttype: Schema.optionalKey(Schema.String),
  data: Schema.optionalKey(Schema.Unknown),
  data_base64: Schema.optionalKey(Schema.String),
  topic: Schema.optionalKey(Schema.String),
  pubsubname: Schema.optionalKey(Schema.String),
  time: Schema.optionalKey(Schema.String),
  traceid: Schema.optionalKey(Schema.String),
  traceparent: Schema.optionalKey(Schema.String),
  tracestate: Schema.optionalKey(Schema.String),
  expiration: Schema.optionalKey(Schema.String),
  subject: Schema.optionalKey(Schema.String),
}).annotate({ title: "CloudEvent" })
export type CloudEvent = typeof CloudEvent.Type

/** How a subscriber answers a delivery (docs/dapr.md §2, the table of answers): ack, retry later, or drop (to the dead-letter topic). */
export const DeliveryStatus = Schema.Literals(["SUCCESS", "RETRY", "DROP"])
export type DeliveryStatus = typeof DeliveryStatus.Type

/** One programmatic subscription as `GET /dapr/subscribe` declares it (docs/dapr.md §2). */
export const DaprSubscription = Schema.Struct({
  pubsubname: Schema.String,
  topic: Schema.String,
  routes: Schema.Struct({
    rules: Schema.optionalKey(Schema.Array(Schema.Struct({ match: Schema.String, path: Schema.String }))),
    default: Schema.String,
  }),
  deadLetterTopic: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
})
export type DaprSubscription = typeof DaprSubscription.Type
