import { randomUUID } from "node:crypto"
import { decodeFirst, GoBytes, type GoObject, type GoValue, isGoObject, marshal } from "./GoJson.ts"
import { formatRfc3339, ttlFromMetadata } from "./GoTime.ts"

/**
 * The CloudEvent envelope a publishing daprd writes to Kafka (DAPR.md §1 "Body / Content-Type" and "Envelope daprd
 * builds"; C: pubsub/envelope.go `NewCloudEventsEnvelope`/`FromCloudEvent`/`ApplyMetadata`,
 * R: pkg/runtime/pubsub/cloudevents.go `NewCloudEvent`).
 */

/** contrib `contenttype.isContentType`: case-insensitive, parameters after `;` ignored, nothing else tolerated. */
const isContentType = (contentType: string, expected: string): boolean => {
  const lower = contentType.toLowerCase()
  if (lower === expected) return true
  const semi = lower.indexOf(";")
  return semi >= 0 && lower.slice(0, semi) === expected
}
export const isJsonContentType = (ct: string) => isContentType(ct, "application/json")
export const isCloudEventContentType = (ct: string) => isContentType(ct, "application/cloudevents+json")
export const isBinaryContentType = (ct: string) => isContentType(ct, "application/octet-stream")

export interface EnvelopeInput {
  /** The publishing app-id: the default `source`. */
  readonly appId: string
  readonly pubsubName: string
  readonly topic: string
  /** The request's Content-Type header, verbatim ("" when absent). */
  readonly contentType: string
  readonly body: Buffer
  /** Publish metadata (`metadata.*` query parameters, prefix stripped). */
  readonly metadata: ReadonlyMap<string, string>
  /** The sidecar span's traceparent, or the pass-through value; "" when there is none. */
  readonly traceparent: string
  readonly tracestate: string
  readonly nowMs: number
}

export type EnvelopeResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false }

/**
 * `cloudevent.*` overrides are matched case-insensitively (mapstructure.WeakDecode), an exact-case key first.
 * An override that is present but empty still counts (and then falls back to the default, like Go's "" checks).
 */
const override = (metadata: ReadonlyMap<string, string>, field: string): string | undefined => {
  const key = `cloudevent.${field}`
  if (metadata.has(key)) return metadata.get(key)
  for (const [k, v] of metadata) if (k.toLowerCase() === key) return v
  return undefined
}

/** Text payloads: `string(data)`; JSON payloads: the first JSON value with exact numbers, else the text. */
const dataFor = (contentType: string, body: Buffer): readonly [string, GoValue] => {
  if (isJsonContentType(contentType)) {
    try {
      return ["data", decodeFirst(body)]
    } catch {
      return ["data", new GoBytes(body)]
    }
  }
  if (isBinaryContentType(contentType)) return ["data_base64", body.toString("base64")]
  return ["data", new GoBytes(body)]
}

const fromOwnCloudEvent = (input: EnvelopeInput): GoObject | undefined => {
  let parsed: GoValue
  try {
    parsed = decodeFirst(input.body)
  } catch {
    return undefined
  }
  // A JSON `null` decodes into a nil Go map and daprd then fails on the first write: treated as unusable too.
  if (!isGoObject(parsed)) return undefined
  const ce = parsed
  // DAPR.md §1: only missing `time`, trace fields (both, only if `traceid` is absent) and `tracestate` are added;
  // `source`/`type`/`specversion` default when absent or null; `topic` and `pubsubname` are always overwritten.
  // No `id` is added, and `cloudevent.*` metadata overrides do not apply to this path (NewCloudEvent returns early).
  if (!ce.has("time")) ce.set("time", formatRfc3339(input.nowMs))
  if (!ce.has("traceid")) {
    ce.set("traceid", input.traceparent)
    ce.set("traceparent", input.traceparent)
  }
  if (!ce.has("tracestate")) ce.set("tracestate", input.tracestate)
  if ((ce.get("source") ?? null) === null) ce.set("source", "Dapr")
  if ((ce.get("type") ?? null) === null) ce.set("type", "com.dapr.event.sent")
  if ((ce.get("specversion") ?? null) === null) ce.set("specversion", "1.0")
  ce.set("topic", input.topic)
  ce.set("pubsubname", input.pubsubName)
  return ce
}

const newEnvelope = (input: EnvelopeInput): GoObject => {
  const { metadata } = input
  // R: cloudevents.go: an explicit `cloudevent.traceparent` wins over `cloudevent.traceid`, which wins over the span.
  const traceparentOverride = override(metadata, "traceparent")
  const trace =
    traceparentOverride !== undefined && traceparentOverride !== ""
      ? traceparentOverride
      : (override(metadata, "traceid") ?? input.traceparent)
  const contentType = input.contentType === "" ? "text/plain" : input.contentType
  const ce: GoObject = new Map<string, GoValue>([
    ["id", override(metadata, "id") || randomUUID()],
    ["specversion", "1.0"],
    ["datacontenttype", contentType],
    ["source", (override(metadata, "source") ?? input.appId) || "Dapr"],
    ["type", override(metadata, "type") || "com.dapr.event.sent"],
    ["topic", input.topic],
    ["pubsubname", input.pubsubName],
    ["traceid", trace],
    ["traceparent", trace],
    ["tracestate", override(metadata, "tracestate") ?? input.tracestate],
    ["time", formatRfc3339(input.nowMs)],
    dataFor(contentType, input.body),
  ])
  const subject = override(metadata, "subject")
  if (subject) ce.set("subject", subject)
  return ce
}

/** Builds and serialises the envelope; `ok: false` is daprd's 500 `ERR_PUBSUB_CLOUD_EVENTS_SER`. */
export const buildEnvelope = (input: EnvelopeInput): EnvelopeResult => {
  const ce = isCloudEventContentType(input.contentType) ? fromOwnCloudEvent(input) : newEnvelope(input)
  if (ce === undefined) return { ok: false }
  // ApplyMetadata: Kafka has no native TTL, so daprd writes `expiration` itself (DAPR.md §1 table).
  const ttlMs = ttlFromMetadata(input.metadata)
  if (ttlMs !== undefined) ce.set("expiration", formatRfc3339(input.nowMs + ttlMs))
  return { ok: true, bytes: marshal(ce) }
}
