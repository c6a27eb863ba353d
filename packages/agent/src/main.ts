// Composition root of the agent service (deployed behind its own Dapr sidecar): database, the agents and their
// handler registry, and the HTTP app the sidecar delivers to.
import { ListeningLog, runService } from "@todo/runtime/Main"
import { DatabaseUrl, ExternalDatabase } from "@todo/runtime/Database"
import { NotFoundRoute } from "@todo/runtime/http/ContractRouter"
import { HttpServerLive } from "@todo/runtime/http/HttpServerLive"
import { serveObserved } from "@todo/runtime/http/Observability"
import { SystemRoutes } from "@todo/runtime/http/SystemRoutes"
import { LoggingLive } from "@todo/runtime/Logging"
import { DaprSidecarHealth } from "@todo/runtime/Sidecar"
import { TracingLive } from "@todo/runtime/Telemetry"
import { MigrationsOnStart } from "@todo/runtime/Migrations"
import { Layer } from "effect"
import { AgentCore } from "./AgentLive.ts"
import { AGENT_PATTERNS, SubscriptionRoutes } from "./http/SubscriptionRoutes.ts"

const Database = MigrationsOnStart.pipe(Layer.provideMerge(ExternalDatabase))

// One server value, shared by the routes and the listening line (see packages/api/src/main.ts).
const Server = HttpServerLive(5000)

const Http = serveObserved(
  Layer.mergeAll(SystemRoutes, SubscriptionRoutes, NotFoundRoute),
  AGENT_PATTERNS,
).pipe(Layer.provide(Server))

const Agent = Http.pipe(Layer.provide(AgentCore), Layer.provide(Database), Layer.provide(DaprSidecarHealth))

runService(
  ListeningLog("todo-agent").pipe(
    Layer.provide(Server),
    Layer.provide(Agent),
    Layer.provide(TracingLive("todo-agent")),
    Layer.provide(LoggingLive("todo-agent")),
  ),
  { requires: [DatabaseUrl] },
)
