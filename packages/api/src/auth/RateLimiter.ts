import { Clock, Config, Context, Duration, Effect, Layer, Option } from "effect"
import type { HttpServerRequest } from "effect/http"
import { SqlClient } from "effect/sql/SqlClient"
import { RateLimited } from "./AuthErrors.ts"

/**
 * Limits sign-in and sign-up attempts per client IP, in fixed windows counted in PostgreSQL so every API replica
 * shares them: one address trying many accounts (or creating many) is slowed whatever the accounts. Failed sign-ins
 * per account are LoginThrottle's. Over the limit: 429 with Retry-After until the window ends.
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    readonly check: (
      action: "sign-in" | "sign-up",
      request: HttpServerRequest.HttpServerRequest,
    ) => Effect.Effect<void, RateLimited>
    /** Who is asking: the client's address (behind a trusted proxy, the first `X-Forwarded-For` hop). */
    readonly clientOf: (request: HttpServerRequest.HttpServerRequest) => string
  }
>()("@todo/api/RateLimiter") {
  static readonly layer = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const window = yield* Config.Duration("AUTH_RATE_WINDOW").pipe(Config.withDefault(Duration.minutes(15)))
      const perIp = yield* Config.Int("AUTH_RATE_LIMIT_PER_IP").pipe(Config.withDefault(50))
      // Behind the ingress the client is the first X-Forwarded-For hop; only trusted when configured.
      const trustProxy = yield* Config.Boolean("TRUST_PROXY").pipe(Config.withDefault(false))
      const windowMs = Duration.toMillis(window)

      const clientOf = (request: HttpServerRequest.HttpServerRequest) => {
        const forwarded = request.headers["x-forwarded-for"]
        if (trustProxy && forwarded) return forwarded.split(",")[0]!.trim()
        return Option.getOrElse(request.remoteAddress, () => "unknown")
      }

      const check = Effect.fn("RateLimiter.check")(
        function* (action: "sign-in" | "sign-up", request: HttpServerRequest.HttpServerRequest) {
          const now = yield* Clock.currentTimeMillis
          const start = Math.floor(now / windowMs) * windowMs
          const [row] = yield* sql<{ count: number }>`
            INSERT INTO rate_limits (key, window_start, count)
            VALUES (${`${action}:ip:${clientOf(request)}`}, ${new Date(start).toISOString()}, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
            RETURNING count`
          // Old windows are garbage; sweeping on each check keeps the table small without a job.
          yield* sql`DELETE FROM rate_limits WHERE window_start < ${new Date(now - 2 * windowMs).toISOString()}`.pipe(
            Effect.ignore,
          )
          if ((row?.count ?? 0) > perIp) {
            return yield* new RateLimited({
              retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)),
            })
          }
        },
        Effect.catchTag("SqlError", (e) =>
          Effect.logWarning("rate limiter unavailable; letting the request through", e),
        ),
      )

      return RateLimiter.of({ check, clientOf })
    }),
  )
}
