import { Effect, Option, Tracer } from "effect"

export interface TraceContext {
  readonly traceparent: string | null
  readonly tracestate: string | null
}

/**
 * The W3C trace context of the current span, stored with an outbox row so the relay's publish (and through the
 * sidecars, the agent's handler) continues the trace of the request that wrote the event.
 */
export const currentTraceContext: Effect.Effect<TraceContext> = Effect.currentSpan.pipe(
  Effect.option,
  Effect.map((span) =>
    Option.match(span, {
      onNone: () => ({ traceparent: null, tracestate: null }),
      onSome: (s) => ({
        traceparent: `00-${s.traceId}-${s.spanId}-${s.sampled ? "01" : "00"}`,
        tracestate: null,
      }),
    }),
  ),
)

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * The span a stored or received `traceparent` names, as a parent for a span of ours; undefined when there is none
 * (all-zero ids mean "no parent" in W3C trace context).
 */
export const parentSpanOf = (value: string | null | undefined): Tracer.ExternalSpan | undefined => {
  const m = value?.trim().toLowerCase().match(traceparentPattern)
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined
  return Tracer.externalSpan({
    traceId: m[1]!,
    spanId: m[2]!,
    sampled: (Number.parseInt(m[3]!, 16) & 1) === 1,
  })
}
