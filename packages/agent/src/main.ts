// Composition root of the agent service (deployed behind its own Dapr sidecar): database, the agents and their
// handler registry, and the HTTP app the sidecar delivers to.
import { runService } from "@todo/runtime/Main"
import { ExternalDatabase } from "@todo/runtime/Database"
import { NotFoundRoute } from "@todo/runtime/http/ContractRouter"
import { HttpServerLive } from "@todo/runtime/http/HttpServerLive"
import { contractPatterns, serveObserved } from "@todo/runtime/http/Observability"
import { SystemRoutes } from "@todo/runtime/http/SystemRoutes"
import { LoggingLive } from "@todo/runtime/Logging"
import { TracingLive } from "@todo/runtime/Telemetry"
import { MigrationsOnStart } from "@todo/runtime/Migrations"
import { systemContract } from "@todo/contracts"
import { SUBSCRIPTION_PATTERNS, SubscriptionRoutes } from "@todo/messaging"
import { Layer } from "effect"
import { AgentCore } from "./AgentLive.ts"

const Database = MigrationsOnStart.pipe(Layer.provideMerge(ExternalDatabase))

/** The agent's routes as patterns, for span names, request logs and metrics labels. */
const AGENT_PATTERNS = [...contractPatterns(systemContract), ...SUBSCRIPTION_PATTERNS]

const Http = serveObserved(
  Layer.mergeAll(SystemRoutes, SubscriptionRoutes, NotFoundRoute),
  AGENT_PATTERNS,
).pipe(Layer.provide(HttpServerLive(5000)))

const Agent = Http.pipe(
  Layer.provide(AgentCore),
  Layer.provide(Database),
  Layer.provide(TracingLive("todo-agent")),
  Layer.provide(LoggingLive("todo-agent")),
)

runService(Agent)
