// Composition root of the API service (deployed behind a Dapr sidecar): database, migrations, HTTP, outbox relay
// publishing through the sidecar.
import { runService } from "@todo/runtime/Main"
import { ExternalDatabase } from "@todo/runtime/Database"
import { HttpServerLive } from "@todo/runtime/http/HttpServerLive"
import { LoggingLive } from "@todo/runtime/Logging"
import { TracingLive } from "@todo/runtime/Telemetry"
import { MigrationsOnStart } from "@todo/runtime/Migrations"
import { Layer } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { DaprPublisherLive } from "@todo/messaging"
import { ApiHttp, ApiRelay } from "./ApiLive.ts"
import { AuthConfig } from "./auth/AuthService.ts"

const Database = MigrationsOnStart.pipe(Layer.provideMerge(ExternalDatabase))

// undici's pooled keep-alive client: the relay makes one call per event, fetch's per-call overhead shows.
const Publisher = DaprPublisherLive.pipe(Layer.provide(NodeHttpClient.layerUndici))

const Api = Layer.mergeAll(ApiHttp(HttpServerLive(4000)), ApiRelay.pipe(Layer.provide(Publisher))).pipe(
  Layer.provide(AuthConfig.fromEnv),
  Layer.provide(Database),
  Layer.provide(TracingLive("todo-api")),
  Layer.provide(LoggingLive("todo-api")),
)

runService(Api)
