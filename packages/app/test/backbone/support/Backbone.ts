import {
  CurrentRetryPolicy,
  HandlerRegistry,
  InProcessBusLive,
  type RetryPolicy,
  retryPolicy,
} from "@todo/messaging"
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { AgentCore } from "@todo/agent"
import { ApiHttp, ApiRelay, AuthConfig } from "@todo/api"
import { pgClientLayer } from "@todo/runtime"
import { freePort } from "@todo/runtime/embedded-postgres"
import { apiClient, queryRows, runLayer, waitUntilReady } from "@todo/testkit"
import { ConfigProvider, Duration, Effect, Layer, Logger, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/**
 * The backbone's pieces as the fault tests need them, each on real loopback HTTP and a real PostgreSQL database:
 * the agent's HTTP app (what its sidecar delivers to), the API with its relay publishing through a (simulated)
 * sidecar, and the one-process system with the in-process bus. Configuration is given explicitly (no process.env),
 * so test files running in parallel cannot disturb each other.
 */

export type Env = Readonly<Record<string, string>>

/** Limits that would throttle a test, not a user, lifted; then the test's own settings. */
export const testConfig = (env: Env = {}) =>
  ConfigProvider.layer(
    ConfigProvider.fromUnknown({
      AUTH_RATE_LIMIT_PER_IP: "100000",
      AUTH_RATE_LIMIT_PER_ACCOUNT: "100000",
      AGENT_SUGGESTIONS_PER_HOUR: "100000",
      ...env,
    }),
  )

/**
 * The retry policy with faster numbers, where a test must see several retries or backoffs in well under a second
 * (the same shape as in production: constant delivery retries, the relay's exponential backoff).
 */
export const fasterRetries = (options: {
  readonly delivery?: { readonly retries: number; readonly interval: Duration.Input }
  readonly backoff?: { readonly base: Duration.Input; readonly max: Duration.Input }
}): RetryPolicy => ({
  ...retryPolicy,
  ...(options.delivery && {
    delivery: {
      ...retryPolicy.delivery,
      retries: options.delivery.retries,
      interval: Duration.fromInputUnsafe(options.delivery.interval),
    },
  }),
  ...(options.backoff && {
    backoff: {
      base: Duration.fromInputUnsafe(options.backoff.base),
      max: Duration.fromInputUnsafe(options.backoff.max),
    },
  }),
})

/** Extra tables the test-only handler writes: one row per time it took effect. */
export const prepareTestTables = (databaseUrl: string) =>
  queryRows(
    databaseUrl,
    `CREATE TABLE IF NOT EXISTS test_effects (
       seq bigserial PRIMARY KEY, event_id uuid NOT NULL, user_id uuid NOT NULL, task_id uuid NOT NULL,
       title text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  )

/** What the test-only handler does; `poisoned(title)` makes it fail (a bug in a handler, for that event). */
export interface EffectsOptions {
  readonly poisoned?: (title: string) => boolean
}

/**
 * A test-only handler for `tasks.created`, registered beside the real agents: it inserts a row into
 * `test_effects` every time it runs, with no uniqueness of its own, so a count per event shows how many times the
 * event took effect (the real agents' writes are idempotent by themselves and could not show it).
 */
export const EffectsHandler = (options: EffectsOptions = {}) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const registry = yield* HandlerRegistry
      const sql = yield* SqlClient
      registry.register("tasks.created", "test.effects", (event) =>
        options.poisoned?.(event.title)
          ? Effect.fail(new Error(`test handler: ${event.title} is poisoned`))
          : sql`
              INSERT INTO test_effects (event_id, user_id, task_id, title)
              VALUES (${event.eventId}, ${event.userId}, ${event.taskId}, ${event.title})`.pipe(
              Effect.asVoid,
            ),
      )
    }),
  )

const database = (url: string) => pgClientLayer(Redacted.make(url), 10)

const authFor = (port: number) =>
  Layer.succeed(AuthConfig, {
    secret: Redacted.make("backbone-secret-backbone-secret-0123456789"),
    baseURL: `http://127.0.0.1:${port}`,
  })

const server = (port: number) => NodeHttpServer.layer(() => createServer(), { port, host: "127.0.0.1" })

export interface Running {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

const launch = async (port: number, layer: Layer.Layer<never, unknown, never>): Promise<Running> => {
  const running = runLayer(layer)
  const url = `http://127.0.0.1:${port}`
  await waitUntilReady(url, { what: `${url}/ready` })
  return { url, port, stop: running.stop }
}

/** The one-process system (API, relay, in-process bus, agents) with the given test handlers. */
export const startOneProcess = async (options: {
  readonly databaseUrl: string
  readonly env?: Env
  readonly handlers?: EffectsOptions
  readonly retryPolicy?: RetryPolicy
}) => {
  const port = await Effect.runPromise(freePort)
  const layer = Layer.mergeAll(ApiHttp(server(port)), ApiRelay.pipe(Layer.provide(InProcessBusLive))).pipe(
    Layer.provide(Layer.provideMerge(EffectsHandler(options.handlers), AgentCore)),
    Layer.provide(Layer.succeed(CurrentRetryPolicy, options.retryPolicy ?? retryPolicy)),
    Layer.provide(authFor(port)),
    Layer.provide(database(options.databaseUrl)),
    Layer.provide(testConfig(options.env)),
    Layer.provide(Logger.layer([])),
  )
  return launch(port, layer)
}

/** Signs up with a chosen email (so a test can name its admin before the API starts). */
export const signUpAs = async (baseUrl: string, email: string) => {
  const res = await apiClient(baseUrl).api.auth.signUp({
    body: { email, password: "correct horse battery", name: email.split("@")[0]! },
  })
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { client: apiClient(baseUrl, res.body.token), user: res.body.user, token: res.body.token }
}

/** One number from a SQL count. */
export const count = async (url: string, sql: string, params: ReadonlyArray<unknown> = []) =>
  Number((await queryRows<{ n: string | number }>(url, sql, params))[0]!.n)
