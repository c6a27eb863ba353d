// Composition root of the API service (deployed behind a Dapr sidecar): database, migrations, HTTP, outbox relay
// publishing through the sidecar.
import {
  DaprSidecarHealth,
  DatabaseUrl,
  ExternalDatabase,
  HttpServerLive,
  MigrationsOnStart,
  runHttpService,
} from "@todo/runtime"
import { Layer } from "effect"
// The module, not the package index: the index also loads NodeRedis (all of `redis`) and NodeWS (`ws`).
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { DaprPublisherLive } from "@todo/messaging"
import { ApiHttp, ApiRelay } from "./ApiLive.ts"
import { AuthConfig, AuthSecret } from "./auth/AuthService.ts"

const Database = MigrationsOnStart.pipe(Layer.provideMerge(ExternalDatabase))

// undici's pooled keep-alive client: the relay makes one call per event, fetch's per-call overhead shows.
const Publisher = DaprPublisherLive.pipe(Layer.provide(NodeHttpClient.layerUndici))

const Server = HttpServerLive(4000)

const Api = Layer.mergeAll(ApiHttp(Server), ApiRelay.pipe(Layer.provide(Publisher))).pipe(
  Layer.provide(AuthConfig.fromEnv),
  Layer.provide(Database),
  Layer.provide(DaprSidecarHealth),
)

runHttpService("todo-api", { server: Server, app: Api, requires: [DatabaseUrl, AuthSecret] })
