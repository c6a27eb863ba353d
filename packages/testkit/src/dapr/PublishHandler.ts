import type { IncomingHttpHeaders } from "node:http"
import { type Broker, type BrokerRecord, BrokerUnavailableError } from "./Broker.ts"
import { buildEnvelope } from "./CloudEventEnvelope.ts"
import {
  cloudEventCreation,
  type DaprErrorResponse,
  publishFailed,
  publishForbidden,
  pubsubNameEmpty,
  pubsubNotFound,
  requestMetadataInvalid,
  topicNameEmpty,
} from "./DaprErrors.ts"
import { metadataFromQuery } from "./GoHttp.ts"

/**
 * `POST|PUT /v1.0/publish/{pubsubname}/{topic}` (DAPR.md §1; R: pkg/api/http/http.go `onPublish`).
 * Checks run in daprd's order: pubsub name, pubsub known, topic, metadata, envelope, scopes, broker.
 */
export interface PublishContext {
  readonly appId: string
  readonly pubsubName: string
  readonly broker: Broker
  readonly mayPublish: (topic: string) => boolean
  readonly nowMs: number
}

export interface PublishRequest {
  /** Path after `/v1.0/publish/`, already cleaned, still percent-encoded. */
  readonly rest: string
  readonly rawQuery: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  /** The value for the envelope's `traceparent`/`traceid` ("" for none) and `tracestate`. */
  readonly traceparent: string
  readonly tracestate: string
}

export type PublishOutcome =
  | { readonly ok: true; readonly record: BrokerRecord }
  | { readonly ok: false; readonly error: DaprErrorResponse }

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Go's `strconv.ParseBool` (contrib `metadata.IsRawPayload`). */
const parseGoBool = (v: string): boolean | undefined => {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false
  return undefined
}

export const handlePublish = (ctx: PublishContext, req: PublishRequest): PublishOutcome => {
  // Everything after `{pubsubname}/` is the topic (DAPR.md §1).
  const slash = req.rest.indexOf("/")
  const pubsub = decode(slash < 0 ? req.rest : req.rest.slice(0, slash))
  const topic = slash < 0 ? "" : decode(req.rest.slice(slash + 1))
  const metadata = metadataFromQuery(req.rawQuery)

  if (pubsub === "") return { ok: false, error: pubsubNameEmpty(metadata) }
  if (pubsub !== ctx.pubsubName) return { ok: false, error: pubsubNotFound(pubsub, metadata) }
  if (topic === "") return { ok: false, error: topicNameEmpty(pubsub, metadata) }

  const rawPayloadValue = metadata.get("rawPayload")
  let rawPayload = false
  if (rawPayloadValue !== undefined && rawPayloadValue !== "") {
    const parsed = parseGoBool(rawPayloadValue)
    if (parsed === undefined) {
      const detail = `rawPayload value must be a valid boolean: actual is '${rawPayloadValue}'`
      return { ok: false, error: requestMetadataInvalid(pubsub, detail, metadata) }
    }
    rawPayload = parsed
  }

  let value = req.body
  if (!rawPayload) {
    const envelope = buildEnvelope({
      appId: ctx.appId,
      pubsubName: pubsub,
      topic,
      contentType: req.headers["content-type"] ?? "",
      body: req.body,
      metadata,
      traceparent: req.traceparent,
      tracestate: req.tracestate,
      nowMs: ctx.nowMs,
    })
    if (!envelope.ok) return { ok: false, error: cloudEventCreation(pubsub, metadata) }
    value = envelope.bytes
  }

  if (!ctx.mayPublish(topic)) return { ok: false, error: publishForbidden(pubsub, topic, ctx.appId) }

  try {
    // The Kafka key comes from `partitionKey` or its alias `__key`; every metadata key also becomes a header.
    const key = metadata.get("partitionKey") ?? metadata.get("__key")
    return { ok: true, record: ctx.broker.produce({ topic, key, value, headers: metadata }) }
  } catch (e) {
    if (e instanceof BrokerUnavailableError)
      return { ok: false, error: publishFailed(pubsub, topic, e.message) }
    throw e
  }
}
