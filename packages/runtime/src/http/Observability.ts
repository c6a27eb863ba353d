import { Effect, Layer, Metric } from "effect"
import { HttpMiddleware, HttpRouter, type HttpServerRequest } from "effect/http"
import { httpRequestDuration, MetricsRoute } from "../Metrics.ts"
import { ResponseEdge } from "./ResponseEdge.ts"

export interface RoutePattern {
  readonly method: string
  /** `/api/tasks/:id` style, as the contract spells it. */
  readonly path: string
}

/**
 * Names a request by its route pattern (`POST /api/tasks`, `GET /api/tasks/:id`): the server span's name, the
 * `route` of the request log and the label of the duration metric. Raw URLs would make every task id its own
 * span name and metric series.
 */
export const routeNamer = (patterns: ReadonlyArray<RoutePattern>) => {
  const compiled = patterns.map((p) => ({
    method: p.method,
    name: `${p.method} ${p.path}`,
    regex: new RegExp(
      `^${p.path.replace(/[.+?^${}()|[\\]\\\\]/g, "\\\\$&").replace(/:[A-Za-z]+/g, "[^/]+")}$`,
    ),
  }))
  return (request: HttpServerRequest.HttpServerRequest): string => {
    const path = request.url.split("?")[0] ?? request.url
    const match = compiled.find(
      (c) => (c.method === request.method || c.method === "*") && c.regex.test(path),
    )
    return match?.name ?? `${request.method} (unmatched)`
  }
}

/** Probes and scrapes are logged at debug: they would drown the request log. */
const QUIET = new Set(["GET /health", "GET /ready", "GET /metrics"])

/** One request log line (route, status, duration, correlation id; the trace and span ids come with the span). */
export const observeRequest = (
  request: HttpServerRequest.HttpServerRequest,
  status: number,
  durationMs: number,
  correlationId: string,
) =>
  Effect.gen(function* () {
    const route = (yield* HttpMiddleware.SpanNameGenerator)(request)
    yield* Metric.update(
      Metric.withAttributes(httpRequestDuration, { route, status: String(status) }),
      durationMs,
    )
    const log = QUIET.has(route) ? Effect.logDebug : Effect.logInfo
    yield* log(`${route} ${status} ${durationMs.toFixed(1)} ms`).pipe(
      Effect.annotateLogs({ route, status, durationMs: Math.round(durationMs * 10) / 10, correlationId }),
    )
  })

/**
 * Serves an app's routes the way every service does: the built-in per-request span named by route pattern, our
 * own request log (with route, status, duration, correlation id) instead of the built-in one, `GET /metrics`, and
 * the response edge (security headers on everything, problem+json for what no route could take).
 */
export const serveObserved = <A, E, R>(routes: Layer.Layer<A, E, R>, patterns: ReadonlyArray<RoutePattern>) =>
  HttpRouter.serve(Layer.mergeAll(routes, MetricsRoute, ResponseEdge), {
    disableLogger: true,
    disableListenLog: true,
  }).pipe(
    Layer.provide(
      Layer.succeed(
        HttpMiddleware.SpanNameGenerator,
        routeNamer([...patterns, { method: "GET", path: "/metrics" }]),
      ),
    ),
  )

/** Every route of a ts-rest router (nested), as patterns. */
export const contractPatterns = (router: object): Array<RoutePattern> =>
  Object.values(router).flatMap((value): Array<RoutePattern> => {
    const v = value as { method?: unknown; path?: unknown }
    if (typeof v.method === "string" && typeof v.path === "string")
      return [{ method: v.method, path: v.path }]
    return typeof value === "object" && value !== null ? contractPatterns(value) : []
  })
