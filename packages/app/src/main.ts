// One machine, one process: the API and the agents together, with the in-process bus standing in for Dapr and
// Kafka, and an embedded PostgreSQL server unless DATABASE_URL names one. `npm start` runs this.
import { join } from "node:path"
import {
  DatabaseFromEnv,
  HttpServerLive,
  LoggingLive,
  MigrationsOnStart,
  runService,
  TracingLive,
} from "@todo/runtime"
import { AuthConfig } from "@todo/api"
import { Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import { AppLive } from "./AppLive.ts"

const started = Date.now()
const dataDir = join(process.cwd(), ".data")
const Server = HttpServerLive(4000)
const Database = MigrationsOnStart.pipe(Layer.provideMerge(DatabaseFromEnv))

/** Says where the system answers, once everything is built: the database migrated, the routes serving. */
const Banner = Layer.effectDiscard(
  Effect.gen(function* () {
    const { address } = yield* HttpServer.HttpServer
    const url = HttpServer.formatAddress(address).replace("127.0.0.1", "localhost")
    yield* Effect.logInfo(`todo-app is ready in ${Date.now() - started} ms`)
    yield* Effect.logInfo(
      `  web + API  ${url}        (API under ${url}/api, OpenAPI at ${url}/api/openapi.json)`,
    )
    yield* Effect.logInfo(`  health     ${url}/health  ${url}/ready`)
  }),
)

const App = AppLive({
  database: Database,
  server: Server,
  auth: AuthConfig.devFile(join(dataDir, "auth-secret")),
})

// The same Server value in both places is one server (layers are shared by reference); providing App last builds
// it first, so the banner comes after the routes serve.
runService(
  Banner.pipe(
    Layer.provide(Server),
    Layer.provide(App),
    Layer.provide(TracingLive("todo-app")),
    Layer.provide(LoggingLive("todo-app")),
  ),
)
