import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { AuthConfig } from "@todo/api"
import { pgClientLayer } from "@todo/runtime"
import { freePort } from "@todo/runtime/embedded-postgres"
import { createTestDatabase, runLayer, waitUntilReady } from "@todo/testkit"
import { ConfigProvider, Effect, Layer, Logger, Redacted } from "effect"
import { AppLive } from "../../src/AppLive.ts"

/** The auth secret every test app runs with (a test may sign what the server signs, e.g. a cursor). */
export const TEST_AUTH_SECRET = "test-secret-test-secret-test-secret-0123456789"

/**
 * The one-process system on a fresh database and a free loopback port, as a test fixture: real HTTP, real
 * PostgreSQL, the in-process bus. Its configuration is `env` on top of the test defaults below, given to the app's
 * layers as their ConfigProvider (process.env is neither read nor written). `stop` shuts it down and drops the
 * database.
 */
export const startTestApp = async (
  options: { readonly env?: Record<string, string>; readonly webDist?: string } = {},
) => {
  // Every test signs up from 127.0.0.1: the per-IP limit would throttle a test file, not an attacker.
  // The overdue sweep would race the event path that tests assert on; the agents' own tests cover the sweep.
  // A throttled client's first wait is 10 minutes, not 1 s: a test's next attempt is never late enough to get through,
  // however slow the machine (the doubling itself is unit-tested).
  const env = {
    AUTH_RATE_LIMIT_PER_IP: "100000",
    AUTH_SIGN_IN_DELAY: "10 minutes",
    OVERDUE_SWEEP_START: "1 hour",
    ...options.env,
  }
  const db = await createTestDatabase()
  const port = await Effect.runPromise(freePort)
  const layer = AppLive({
    database: pgClientLayer(Redacted.make(db.url), 10),
    server: NodeHttpServer.layer(() => createServer(), { port, host: "127.0.0.1" }),
    auth: Layer.succeed(AuthConfig, {
      secret: Redacted.make(TEST_AUTH_SECRET),
      baseURL: `http://127.0.0.1:${port}`,
    }),
    ...(options.webDist !== undefined ? { webDist: options.webDist } : {}),
  }).pipe(
    Layer.provide(Logger.layer([])),
    // Exactly this configuration, never the test process's environment: two apps in one file can differ, and a
    // developer's own OPENAI_API_KEY or DATABASE_URL never reaches a test.
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))),
  )
  const running = runLayer(layer)
  const baseUrl = `http://127.0.0.1:${port}`
  await waitUntilReady(baseUrl, { what: "the app to be ready" })
  return {
    baseUrl,
    databaseUrl: db.url,
    stop: async () => {
      await running.stop()
      await db.drop()
    },
  }
}
export type TestApp = Awaited<ReturnType<typeof startTestApp>>
