import { Effect, Metric } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/**
 * The services' metrics, as Effect metrics (one registry per process), served in the Prometheus text format on
 * `GET /metrics`. Labels stay low-cardinality: routes are patterns, never raw URLs; no user ids.
 */
const ms = Metric.exponentialBoundaries({ start: 1, factor: 2, count: 14 }) // 1 ms … 8 s

export const httpRequestDuration = Metric.histogram("http_request_duration_ms", {
  description: "HTTP request duration in milliseconds, by route and status",
  boundaries: ms,
})
export const outboxPending = Metric.gauge("outbox_pending_events", {
  description: "Outbox rows not yet published",
})
export const outboxOldestPendingAge = Metric.gauge("outbox_oldest_pending_age_seconds", {
  description: "Age of the oldest unpublished outbox row, in seconds",
})
export const eventsPublished = Metric.counter("events_published_total", {
  description: "Events the outbox relay handed to the bus, by type and outcome",
  incremental: true,
})
export const eventsDelivered = Metric.counter("events_delivered_total", {
  description:
    "Event deliveries the consumer answered, by type and outcome (SUCCESS, RETRY, DROP, duplicate)",
  incremental: true,
})
export const deadLetters = Metric.counter("dead_letters_total", {
  description: "Events parked in the dead-letter table",
  incremental: true,
})
export const suggestionsCreated = Metric.counter("agent_suggestions_total", {
  description: "Suggestions the agents created, by type and source",
  incremental: true,
})
export const calendarWorkSteps = Metric.histogram("calendar_work_steps", {
  description:
    "Calendar steps (days examined, periods and months skipped) one request spent on recurrence rules and quick add, against a fixed per-request budget",
  // the last boundary is the budget (RULE_WORK_BUDGET in @todo/calendar): a count above it is a request stopped there
  boundaries: [1_000, 10_000, 100_000, 300_000, 1_000_000],
})
export const sweepDuration = Metric.histogram("agent_sweep_duration_ms", {
  description: "Duration of an agent's scheduled sweep, by agent",
  boundaries: ms,
})

/** Adds one (or `n`) to a counter, with labels. */
export const count = (
  counter: Metric.Counter<number>,
  labels: Record<string, string>,
  n = 1,
): Effect.Effect<void> => Metric.update(Metric.withAttributes(counter, labels), n)

const escapeLabel = (v: string) => v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"')

const labelText = (
  labels: Record<string, string | number | boolean> | undefined,
  extra?: [string, string],
) => {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`)
  return pairs.length > 0 ? `{${pairs.join(",")}}` : ""
}

const num = (n: number | bigint) =>
  typeof n === "number" && !Number.isFinite(n) ? (n > 0 ? "+Inf" : "-Inf") : String(n)

/** Renders Effect metric snapshots in the Prometheus text exposition format (0.0.4). */
export const toPrometheusText = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>): string => {
  const byName = new Map<string, Array<Metric.Metric.Snapshot>>()
  for (const s of snapshots) byName.set(s.id, [...(byName.get(s.id) ?? []), s])
  const lines: Array<string> = []
  for (const [name, series] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const first = series[0]!
    const type =
      first.type === "Counter"
        ? "counter"
        : first.type === "Gauge"
          ? "gauge"
          : first.type === "Histogram"
            ? "histogram"
            : "untyped"
    if (first.description) lines.push(`# HELP ${name} ${first.description.replaceAll("\n", " ")}`)
    lines.push(`# TYPE ${name} ${type}`)
    for (const s of series) {
      const labels = s.attributes as Record<string, string> | undefined
      switch (s.type) {
        case "Counter":
          lines.push(`${name}${labelText(labels)} ${num(s.state.count)}`)
          break
        case "Gauge":
          lines.push(`${name}${labelText(labels)} ${num(s.state.value)}`)
          break
        case "Histogram": {
          for (const [le, c] of s.state.buckets)
            lines.push(`${name}_bucket${labelText(labels, ["le", num(le)])} ${c}`)
          if (!s.state.buckets.some(([le]) => le === Number.POSITIVE_INFINITY)) {
            lines.push(`${name}_bucket${labelText(labels, ["le", "+Inf"])} ${s.state.count}`)
          }
          lines.push(`${name}_sum${labelText(labels)} ${num(s.state.sum)}`)
          lines.push(`${name}_count${labelText(labels)} ${s.state.count}`)
          break
        }
        default:
          break
      }
    }
  }
  return `${lines.join("\n")}\n`
}

/** `GET /metrics`, scraped by Prometheus (no auth: keep it off the public ingress). */
export const MetricsRoute = HttpRouter.add(
  "GET",
  "/metrics",
  Effect.map(Metric.snapshot, (snapshots) =>
    HttpServerResponse.text(toPrometheusText(snapshots), {
      contentType: "text/plain; version=0.0.4; charset=utf-8",
    }),
  ),
)
