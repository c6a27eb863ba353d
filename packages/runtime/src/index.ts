/**
 * @todo/runtime: what every service process stands on. This is its whole public surface; the services (api, agent,
 * app), the domain (core), the event path (messaging) and the test kit use nothing else.
 * Starting a PostgreSQL server of one's own is a separate entry point, `@todo/runtime/embedded-postgres`: only the
 * one-process mode and the tests do it.
 */

// Running a service: its main, logs, traces, and what it reports about its sidecar.
export { runHttpService, runService } from "./Main.ts"
export { LoggingLive } from "./Logging.ts"
export { TracingLive } from "./Telemetry.ts"
export { DaprSidecarHealth } from "./Sidecar.ts"
export { ModelConfig } from "./ModelConfig.ts"

// The database: the connection, the migrations, the tables and keyset pages built on it.
export { DatabaseFromEnv, DatabaseUrl, ExternalDatabase, pgClientLayer } from "./Database.ts"
export { MIGRATIONS_DIR, MigrationsOnStart, runMigrations } from "./Migrations.ts"
export { compileDecoding, compileEncoding } from "./schema/Compiled.ts"
export { BigIntAsString, DateAsIsoString, SqlTable } from "./sql/SqlTable.ts"
export { isoMicros, type KeysetPosition, keysetPage } from "./sql/Keyset.ts"
export { type Notice, Notifier } from "./sql/Notifier.ts"

// HTTP: the server, the contract-to-router adapter, problem+json, request context, the response edge.
export { HttpServerLive } from "./http/HttpServerLive.ts"
export {
  implement,
  NotFoundRoute,
  rawRoute,
  type RouteError,
  type RouteInput,
  type RouteOutput,
  route,
  type StatusCheck,
  serveRoute,
  withRequestContext,
} from "./http/ContractRouter.ts"
export { contractPatterns, serveObserved } from "./http/Observability.ts"
export {
  type HttpMeaning,
  INTERNAL,
  isHttpError,
  meaning,
  meaningOf,
  problemResponse,
} from "./http/Problem.ts"
export { CorrelationId, RequestLogFields } from "./http/RequestContext.ts"
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./http/ResponseEdge.ts"
export { SystemRoutes } from "./http/SystemRoutes.ts"

// Metrics: the series the services record (served by the system routes as Prometheus text).
export {
  calendarWorkSteps,
  count,
  deadLetters,
  eventsDelivered,
  eventsPublished,
  outboxOldestPendingAge,
  outboxPending,
  suggestionsCreated,
  sweepDuration,
} from "./Metrics.ts"
