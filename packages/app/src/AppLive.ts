import { InProcessBusLive } from "@todo/messaging"
import { ApiHttpWith, ApiRelay, type AuthConfig } from "@todo/api"
import { AgentCore } from "@todo/agent"
import { join } from "node:path"
import { Layer } from "effect"
import type { HttpServer } from "effect/http"
import type { SqlClient } from "effect/sql/SqlClient"
import type { PgClient } from "@effect/sql-pg"
import { WebUiFallback } from "./WebUi.ts"

export const WEB_DIST = join(import.meta.dirname, "..", "..", "web", "dist")

/**
 * The whole system in one process: the API's routes and relay, the agents, and the in-process bus between them.
 * The (migrated) database, the HTTP server and the auth secret come from the caller (`main.ts`, or a test).
 */
export const AppLive = <E1, R1, E2, R2, E3, R3>(options: {
  readonly database: Layer.Layer<SqlClient | PgClient.PgClient, E1, R1>
  readonly server: Layer.Layer<HttpServer.HttpServer, E2, R2>
  readonly auth: Layer.Layer<AuthConfig, E3, R3>
  /** The built web UI (default: packages/web/dist). */
  readonly webDist?: string
}) =>
  Layer.mergeAll(
    ApiHttpWith(options.server, WebUiFallback(options.webDist ?? WEB_DIST)),
    ApiRelay.pipe(Layer.provide(InProcessBusLive)),
  ).pipe(Layer.provide(AgentCore), Layer.provide(options.auth), Layer.provide(options.database))
