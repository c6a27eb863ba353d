import { randomBytes } from "node:crypto"

/**
 * W3C trace context as daprd handles it (DAPR.md §1 "traceparent on the publish request", §2 delivery `traceparent`,
 * §6 flow: one trace id end to end, a new span id at each sidecar hop when tracing is on).
 */
export interface TraceContext {
  readonly traceId: string
  readonly spanId: string
  /** Only the sampled bit is kept, as OpenTelemetry's propagator does. */
  readonly sampled: boolean
}

/** What Dapr's test expects on delivery when there is no trace context at all (DAPR.md §2). */
export const EMPTY_TRACEPARENT = "00-00000000000000000000000000000000-0000000000000000-00"

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/

/** Parses a W3C `traceparent`; all-zero ids, version `ff` and malformed values mean "no parent" (DAPR.md §2). */
export const parseTraceparent = (value: string | undefined): TraceContext | undefined => {
  const m = value === undefined ? null : TRACEPARENT.exec(value.trim())
  if (!m) return undefined
  const [, version, traceId, spanId, flags, rest] = m
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined)
    return undefined
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 }
}

export const formatTraceparent = (ctx: TraceContext): string =>
  `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? "01" : "00"}`

/**
 * A new sidecar span: a child of `parent` (same trace id, new span id, parent's sampling decision: the sampler is
 * `ParentBased`, DAPR.md §6), or a new sampled root trace when there is no usable parent.
 */
export const childSpan = (parent: TraceContext | undefined): TraceContext => ({
  traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
  spanId: randomBytes(8).toString("hex"),
  sampled: parent?.sampled ?? true,
})
