import { Clock, Config, Context, Duration, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { RateLimited } from "./AuthErrors.ts"

/** The sign-in throttling policy (docs/security.md). */
export interface ThrottlePolicy {
  /** Failures a client may make for an account before it has to wait. */
  readonly freeFailures: number
  /** The first wait; each further failure doubles it. */
  readonly baseDelayMs: number
  /** Failures for one account, from all clients together, after which each client gets one try. */
  readonly accountCeiling: number
  /** How long failures are remembered; also the longest wait. */
  readonly windowMs: number
}

export interface ThrottleState {
  /** This client's failures for the account within the window. */
  readonly failures: number
  readonly lastFailureAt: number
  /** Every client's failures for the account within the window. */
  readonly accountFailures: number
}

/**
 * How long a client must still wait before its next sign-in attempt for an account (0: it may try now).
 * - A client with no recent failure may always try: the owner's right password works from their own device
 *   however many strangers are guessing elsewhere.
 * - After `freeFailures`, each further attempt waits twice as long as the one before (1 s, 2 s, 4 s, …) after
 *   the last failure, up to the window.
 * - Once the account has `accountCeiling` failures from all clients, a client that failed waits out the window:
 *   many addresses together get one guess each.
 */
export const waitBeforeAttempt = (state: ThrottleState, policy: ThrottlePolicy, now: number): number => {
  if (state.failures === 0) return 0
  const since = now - state.lastFailureAt
  if (state.accountFailures >= policy.accountCeiling) return Math.max(0, policy.windowMs - since)
  if (state.failures < policy.freeFailures) return 0
  const delay = Math.min(policy.baseDelayMs * 2 ** (state.failures - policy.freeFailures), policy.windowMs)
  return Math.max(0, delay - since)
}

/**
 * Failed sign-ins per (account, client), in PostgreSQL so every replica sees the same counts. An attempt is
 * counted as a failure before the password is checked (so a burst of parallel attempts cannot slip through the
 * gap) and forgotten when it succeeds.
 */
export class LoginThrottle extends Context.Service<
  LoginThrottle,
  {
    /** Admits an attempt (counting it as a failure until `succeeded`), or fails with how long to wait. */
    readonly admit: (account: string, client: string) => Effect.Effect<void, RateLimited>
    /** The attempt was right: this client starts afresh for this account. */
    readonly succeeded: (account: string, client: string) => Effect.Effect<void>
  }
>()("@todo/api/LoginThrottle") {
  static readonly layer = Layer.effect(
    LoginThrottle,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const window = yield* Config.Duration("AUTH_RATE_WINDOW").pipe(Config.withDefault(Duration.minutes(15)))
      const policy: ThrottlePolicy = {
        freeFailures: 3,
        baseDelayMs: Duration.toMillis(
          yield* Config.Duration("AUTH_SIGN_IN_DELAY").pipe(Config.withDefault(Duration.seconds(1))),
        ),
        accountCeiling: yield* Config.Int("AUTH_RATE_LIMIT_PER_ACCOUNT").pipe(Config.withDefault(100)),
        windowMs: Duration.toMillis(window),
      }
      const keyOf = (account: string) => account.trim().toLowerCase()

      const admit = Effect.fn("LoginThrottle.admit")(
        function* (email: string, client: string) {
          const account = keyOf(email)
          const now = yield* Clock.currentTimeMillis
          const since = new Date(now - policy.windowMs)
          yield* sql.withTransaction(
            Effect.gen(function* () {
              // The pair's row, locked: parallel attempts of one client queue here and each sees the one before.
              yield* sql`
                INSERT INTO login_failures (account, client, failures, last_failure_at)
                VALUES (${account}, ${client}, 0, ${new Date(now)}) ON CONFLICT DO NOTHING`
              const [row] = yield* sql<{ failures: number; last_failure_at: Date }>`
                SELECT failures, last_failure_at FROM login_failures
                WHERE account = ${account} AND client = ${client} FOR UPDATE`
              const recent = row !== undefined && row.last_failure_at >= since
              const failures = recent ? row.failures : 0
              if (failures > 0) {
                const [total] = yield* sql<{ n: number }>`
                  SELECT coalesce(sum(failures), 0)::int AS n FROM login_failures
                  WHERE account = ${account} AND last_failure_at >= ${since}`
                const waitMs = waitBeforeAttempt(
                  { failures, lastFailureAt: row!.last_failure_at.getTime(), accountFailures: total?.n ?? 0 },
                  policy,
                  now,
                )
                if (waitMs > 0) {
                  return yield* new RateLimited({ retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) })
                }
              }
              yield* sql`
                UPDATE login_failures SET failures = ${failures + 1}, last_failure_at = ${new Date(now)}
                WHERE account = ${account} AND client = ${client}`
            }),
          )
          // Forgotten failures are garbage; sweeping on each attempt keeps the table small without a job.
          yield* sql`DELETE FROM login_failures WHERE last_failure_at < ${since}`.pipe(Effect.ignore)
        },
        Effect.catchTag("SqlError", (e) =>
          Effect.logWarning("sign-in throttle unavailable; letting the attempt through", e),
        ),
      )

      const succeeded = (email: string, client: string) =>
        sql`DELETE FROM login_failures WHERE account = ${keyOf(email)} AND client = ${client}`.pipe(
          Effect.asVoid,
          Effect.catchTag("SqlError", (e) => Effect.logWarning("could not clear sign-in failures", e)),
        )

      return LoginThrottle.of({ admit, succeeded })
    }),
  )
}
