import { assert, layer } from "@effect/vitest"
import { TestDatabaseLive } from "@todo/testkit"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { AuthConfig, AuthService } from "../../src/auth/AuthService.ts"

/**
 * How long another replica's sign-out takes to reach this one: the session cache's TTL, on the test's clock. The
 * service runs against a real database (Better Auth's tables); the sign-out "elsewhere" is the row's deletion.
 */
const serviceWith = (env: Record<string, string>) =>
  AuthService.layer.pipe(
    Layer.provide(
      Layer.succeed(AuthConfig, {
        secret: Redacted.make("test-secret-test-secret-test-secret-0123456789"),
        baseURL: "http://127.0.0.1:4000",
      }),
    ),
    Layer.provideMerge(TestDatabaseLive(4)),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env))),
  )

let users = 0
/** A fresh account, its token looked up once (cached at the test clock's "now"), then revoked elsewhere. */
const revokedAfterLookup = Effect.gen(function* () {
  const auth = yield* AuthService
  const sql = yield* SqlClient
  const { token } = yield* auth.signUp({
    email: `revoked-${process.pid}-${users++}@example.com`,
    password: "plum-kettle-orbit-42",
    name: "R",
  })
  yield* auth.authenticate(token)
  yield* sql`DELETE FROM "session" WHERE token = ${token}`
  return token
})

const isRefused = (token: string) =>
  Effect.gen(function* () {
    const auth = yield* AuthService
    return Exit.isFailure(yield* Effect.exit(auth.authenticate(token)))
  })

layer(serviceWith({}))("a session revoked by another replica (default cache)", (it) => {
  it.effect("is still served for 5 s after this replica looked it up, and refused from then on", () =>
    Effect.gen(function* () {
      const token = yield* revokedAfterLookup
      yield* TestClock.adjust("4999 millis")
      assert.isFalse(yield* isRefused(token))
      yield* TestClock.adjust("1 millis")
      assert.isTrue(yield* isRefused(token))
      // Refused for good: the lookup found no row, so nothing was cached again.
      yield* TestClock.adjust("1 hour")
      assert.isTrue(yield* isRefused(token))
    }),
  )
})

layer(serviceWith({ AUTH_SESSION_CACHE_MS: "0" }))(
  "a session revoked by another replica (cache off)",
  (it) => {
    it.effect("is refused at once with AUTH_SESSION_CACHE_MS=0", () =>
      Effect.gen(function* () {
        const token = yield* revokedAfterLookup
        assert.isTrue(yield* isRefused(token))
      }),
    )
  },
)
