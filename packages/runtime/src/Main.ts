// The module, not the package index: the index also loads NodeRedis (all of `redis`) and NodeWS (`ws`).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { type Config, Effect, Layer, Predicate, Schema } from "effect"
import { HttpServer } from "effect/http"
import { LoggingLive } from "./Logging.ts"
import { releaseStartupMemory } from "./StartupMemory.ts"
import { TracingLive } from "./Telemetry.ts"

/**
 * A service cannot start for a reason its operator can fix (the embedded database does not start, the database
 * does not answer): `message` is the one line that says what is wrong and what to do.
 */
export class StartupError extends Schema.TaggedError<StartupError>()("StartupError", {
  message: Schema.String,
}) {}

/** `ConfigError` as one line naming the variable: `LOG_LEVEL: Expected "All" | … (got an invalid value)`. */
export const formatConfigError = (error: { readonly message: string }) => {
  const lines = error.message.split("\n").map((l) => l.trim())
  const at = lines.find((l) => l.startsWith("at ["))
  const name = at?.match(/\["([^"]+)"/)?.[1]
  // `SchemaError(Expected …\n  at ["NAME"])`: the closing parenthesis is on the `at` line.
  const joined = lines.filter((l) => !l.startsWith("at [")).join(" ")
  const unwrapped = joined.startsWith("SchemaError(") ? joined.slice("SchemaError(".length) : joined
  const what = at === undefined ? unwrapped.replace(/\)$/, "") : unwrapped
  // A variable that is simply absent reads as "Expected string" to the schema; say it plainly.
  const plain =
    /^Expected (string|a value)/.test(what) && !what.includes("|") && !what.includes(",")
      ? "is not set"
      : what
  return name ? `${name} ${plain === "is not set" ? plain : `: ${plain}`}`.replace(" :", ":") : what
}

const stop = (lines: ReadonlyArray<string>) =>
  Effect.sync(() => {
    for (const line of lines) process.stderr.write(`${line}\n`)
    process.exit(1)
  })

/**
 * Every variable in `requires` is read first, before any layer is built (so before migrations run): each one
 * missing or invalid is one `configuration error: NAME …` line, and nothing starts.
 */
const checkConfiguration = (requires: ReadonlyArray<Config.Config<unknown>>) =>
  Effect.forEach(requires, (config) =>
    Effect.matchEffect(config, {
      onSuccess: () => Effect.succeed(undefined),
      onFailure: (error) => Effect.succeed(`configuration error: ${formatConfigError(error)}`),
    }),
  ).pipe(
    Effect.flatMap((problems) => {
      const lines = problems.filter((p) => p !== undefined)
      return lines.length === 0 ? Effect.void : stop(lines)
    }),
  )

/**
 * Launches a service's composition root: its required configuration is checked first; then a missing or invalid
 * environment variable, or a `StartupError`, stops start-up with one clear line (and exit code 1); everything else
 * is NodeRuntime's usual teardown on SIGINT/SIGTERM. Once the layer is built, what start-up left resident is
 * released (releaseStartupMemory).
 */
export const runService = <E>(
  layer: Layer.Layer<never, E, never>,
  options: { readonly requires?: ReadonlyArray<Config.Config<unknown>> } = {},
) =>
  checkConfiguration(options.requires ?? []).pipe(
    Effect.andThen(
      Effect.scoped(
        Layer.build(layer).pipe(Effect.andThen(releaseStartupMemory), Effect.andThen(Effect.never)),
      ),
    ),
    // The layer's error type is the caller's E, which need not name these two: they are told apart by their tag.
    Effect.catch((error: unknown) =>
      isConfigError(error)
        ? stop([`configuration error: ${formatConfigError(error)}`])
        : error instanceof StartupError
          ? stop([error.message])
          : Effect.fail(error),
    ),
    NodeRuntime.runMain,
  )

const isConfigError = (error: unknown): error is Config.ConfigError =>
  Predicate.isTagged(error, "ConfigError")

/** Logs `<service> listening on http://…` once the server it is given answers with the routes attached. */
export const ListeningLog = (service: string) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const { address } = yield* HttpServer.HttpServer
      yield* Effect.logInfo(`${service} listening on ${HttpServer.formatAddress(address)}`)
    }),
  )

/**
 * Runs a deployed service (`npm run start:api`, `start:agent`): `app`, its routes served by `server` and whatever
 * else it runs, with logging and tracing under the name `service`, and `<service> listening on …` once the routes
 * serve. `requires` is checked before anything is built (runService).
 */
export const runHttpService = <E1, E2>(
  service: string,
  options: {
    readonly server: Layer.Layer<HttpServer.HttpServer, E1>
    readonly app: Layer.Layer<never, E2>
    readonly requires: ReadonlyArray<Config.Config<unknown>>
  },
) =>
  // The same server value in both places is one server (layers are shared by reference); providing the app last
  // builds it first, so the listening line comes once the routes serve.
  runService(
    ListeningLog(service).pipe(
      Layer.provide(options.server),
      Layer.provide(options.app),
      Layer.provide(TracingLive(service)),
      Layer.provide(LoggingLive(service)),
    ),
    { requires: options.requires },
  )
