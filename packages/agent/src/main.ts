// Composition root of the agent service (deployed behind its own Dapr sidecar): database, the agents and their
// handler registry, and the HTTP app the sidecar delivers to.
import {
  contractPatterns,
  DaprSidecarHealth,
  DatabaseUrl,
  ExternalDatabase,
  HttpServerLive,
  MigrationsOnStart,
  NotFoundRoute,
  runHttpService,
  serveObserved,
  SystemRoutes,
} from "@todo/runtime"
import { systemContract } from "@todo/contracts"
import { SUBSCRIPTION_PATTERNS, SubscriptionRoutes } from "@todo/messaging"
import { Layer } from "effect"
import { AgentCore } from "./AgentLive.ts"

const Database = MigrationsOnStart.pipe(Layer.provideMerge(ExternalDatabase))

/** The agent's routes as patterns, for span names, request logs and metrics labels. */
const AGENT_PATTERNS = [...contractPatterns(systemContract), ...SUBSCRIPTION_PATTERNS]
const Server = HttpServerLive(5000)

const Http = serveObserved(
  Layer.mergeAll(SystemRoutes, SubscriptionRoutes, NotFoundRoute),
  AGENT_PATTERNS,
).pipe(Layer.provide(Server))

const Agent = Http.pipe(Layer.provide(AgentCore), Layer.provide(Database), Layer.provide(DaprSidecarHealth))

runHttpService("todo-agent", { server: Server, app: Agent, requires: [DatabaseUrl] })
