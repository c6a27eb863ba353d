import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { isEmailAddress, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type User } from "@todo/contracts"
import { InvalidField } from "@todo/core"
import type { APIError } from "better-auth/api"
import { Clock, Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import pg from "pg"
import { AuthFailure, EmailTaken, InvalidCredentials, Unauthorized } from "./AuthErrors.ts"
import type { AuthenticatedUser } from "./CurrentUser.ts"
import { makeSessionCache } from "./SessionCache.ts"

/** BETTER_AUTH_SECRET as the deployed API requires it: set, and at least 32 characters. */
export const AuthSecret = Config.schema(
  Schema.Redacted(
    Schema.String.check(
      Schema.isMinLength(32, {
        message: "must be at least 32 characters (e.g. openssl rand -base64 48)",
      }),
    ),
  ),
  "BETTER_AUTH_SECRET",
)

/** Secrets and URLs Better Auth needs. */
export class AuthConfig extends Context.Service<
  AuthConfig,
  { readonly secret: Redacted.Redacted<string>; readonly baseURL: string }
>()("@todo/api/AuthConfig") {
  /** Production: BETTER_AUTH_SECRET is required and must be at least 32 characters. */
  static readonly fromEnv = Layer.effect(
    AuthConfig,
    Effect.gen(function* () {
      const secret = yield* AuthSecret
      const baseURL = yield* Config.String("PUBLIC_URL").pipe(Config.withDefault("http://localhost:4000"))
      return AuthConfig.of({ secret, baseURL })
    }),
  )

  /**
   * One-machine mode: BETTER_AUTH_SECRET when set, otherwise a random secret kept in `file` so sessions survive
   * restarts. Never used by the deployed services.
   */
  static readonly devFile = (file: string) =>
    Layer.effect(
      AuthConfig,
      Effect.gen(function* () {
        const fromEnv = yield* Config.option(Config.Redacted("BETTER_AUTH_SECRET"))
        const baseURL = yield* Config.String("PUBLIC_URL").pipe(Config.withDefault("http://localhost:4000"))
        if (Option.isSome(fromEnv)) return AuthConfig.of({ secret: fromEnv.value, baseURL })
        const secret = yield* Effect.sync(() => {
          if (existsSync(file)) return readFileSync(file, "utf8").trim()
          mkdirSync(dirname(file), { recursive: true })
          const generated = randomBytes(48).toString("base64url")
          writeFileSync(file, generated, { mode: 0o600 })
          return generated
        })
        return AuthConfig.of({ secret: Redacted.make(secret), baseURL })
      }),
    )
}

interface SessionRow {
  readonly user_id: string
  readonly email: string
  readonly name: string
  readonly created_at: Date
  readonly expires_at: Date
}

const toUser = (u: { id: string; email: string; name: string; createdAt: Date | string }): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  createdAt: new Date(u.createdAt).toISOString(),
})

/** Session lifetime and when a used session is extended (Better Auth's defaults: 7 days, refreshed daily). */
const SESSION_DAYS = 7
const REFRESH_AFTER_MS = 24 * 3600_000

/**
 * Accounts through Better Auth (sign-up, sign-in, sign-out: password hashing, sessions), wrapped so handlers never
 * touch it directly. Authenticating a request is one indexed lookup of the bearer token in Better Auth's `session`
 * table, done with our own client: it is the hot path of every request.
 */
export class AuthService extends Context.Service<
  AuthService,
  {
    readonly signUp: (input: {
      email: string
      password: string
      name: string
    }) => Effect.Effect<{ user: User; token: string }, EmailTaken | InvalidField | AuthFailure>
    readonly signIn: (input: {
      email: string
      password: string
    }) => Effect.Effect<{ user: User; token: string }, InvalidCredentials | AuthFailure>
    readonly signOut: (token: string) => Effect.Effect<void, AuthFailure>
    readonly authenticate: (token: string) => Effect.Effect<AuthenticatedUser, Unauthorized>
  }
>()("@todo/api/AuthService") {
  static readonly layer = Layer.effect(
    AuthService,
    Effect.gen(function* () {
      const config = yield* AuthConfig
      const pgClient = yield* PgClient.PgClient
      const sql = yield* SqlClient
      const url = pgClient.config.url
      if (url === undefined)
        return yield* Effect.die(new Error("the PostgreSQL client has no URL for Better Auth"))
      // Better Auth brings its own pool (node-postgres); a small one: it only serves sign-up/in/out.
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const p = new pg.Pool({ connectionString: Redacted.value(url), max: 4 })
          // An idle client whose server went away (restart, failover, shutdown) must not crash the process.
          p.on("error", () => {})
          return p
        }),
        (p) => Effect.promise(() => p.end()),
      )
      // Better Auth only signs up, in and out (authenticate below is our own lookup): its modules (about 27 MiB of
      // resident memory once loaded, 10 MiB of it live heap) are loaded on the first of those, not at start-up.
      const loadAuth = Effect.promise(async () => {
        const [{ betterAuth }, { APIError }, { bearer }] = await Promise.all([
          import("better-auth"),
          import("better-auth/api"),
          import("better-auth/plugins"),
        ])
        const auth = betterAuth({
          database: pool,
          secret: Redacted.value(config.secret),
          baseURL: config.baseURL,
          emailAndPassword: {
            enabled: true,
            minPasswordLength: PASSWORD_MIN_LENGTH,
            maxPasswordLength: PASSWORD_MAX_LENGTH,
          },
          // The contract's email rule, on every account Better Auth creates (its own check is the same pattern).
          databaseHooks: {
            user: {
              create: {
                before: async (user) => {
                  if (!isEmailAddress(user.email)) {
                    throw APIError.from("BAD_REQUEST", { code: "INVALID_EMAIL", message: "Invalid email" })
                  }
                },
              },
            },
          },
          session: { expiresIn: SESSION_DAYS * 24 * 3600, updateAge: 24 * 3600 },
          plugins: [bearer()],
          // Our own limiter guards sign-in/up per IP and per account (RateLimiter.ts).
          rateLimit: { enabled: false },
          advanced: { database: { generateId: "uuid" } },
          telemetry: { enabled: false },
          logger: { disabled: true },
        })
        return { auth, APIError }
      })
      const betterAuth = yield* Effect.cached(loadAuth)

      // 0 turns the cache off; the default keeps a revoked token usable on other replicas for at most 5 s.
      const sessionCacheMs = yield* Config.Int("AUTH_SESSION_CACHE_MS").pipe(Config.withDefault(5_000))
      const sessions = makeSessionCache<AuthenticatedUser>({ ttlMs: sessionCacheMs, capacity: 10_000 })

      type Auth = Effect.Success<typeof loadAuth>["auth"]
      /** A call Better Auth rejected, with its own refusal (an `APIError`) when it was one: told apart here, where the
       * lazily loaded class is at hand. */
      interface Rejection {
        readonly cause: unknown
        readonly refusal: APIError | undefined
      }
      const call = <A>(f: (auth: Auth) => Promise<A>): Effect.Effect<A, Rejection> =>
        Effect.flatMap(betterAuth, ({ auth, APIError }) =>
          Effect.tryPromise({
            try: () => f(auth),
            catch: (cause): Rejection => ({ cause, refusal: cause instanceof APIError ? cause : undefined }),
          }),
        ).pipe(Effect.withSpan("better-auth"))

      const emailExists = (email: string) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM "user" WHERE email = ${email.toLowerCase()}`.pipe(
          Effect.map((rows) => (rows[0]?.n ?? 0) > 0),
          Effect.orElseSucceed(() => false),
        )

      /** Better Auth's refusals by their code: only an existing account is "email taken". */
      const signUpError = (
        { cause, refusal }: Rejection,
        email: string,
      ): Effect.Effect<EmailTaken | InvalidField | AuthFailure> => {
        switch (refusal?.body?.code) {
          case "USER_ALREADY_EXISTS":
          case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
            return Effect.succeed(new EmailTaken())
          case "INVALID_EMAIL":
            return Effect.succeed(
              new InvalidField({ field: "body.email", message: "Expected an email address" }),
            )
          case "INVALID_PASSWORD":
          case "PASSWORD_TOO_SHORT":
          case "PASSWORD_TOO_LONG":
            return Effect.succeed(
              new InvalidField({
                field: "body.password",
                message: `Expected ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters`,
              }),
            )
          case "FAILED_TO_CREATE_USER":
            // Two sign-ups with one address at once: the database's unique email decided for the other one.
            return Effect.map(emailExists(email), (exists) =>
              exists ? new EmailTaken() : new AuthFailure({ cause }),
            )
          default:
            return Effect.succeed(new AuthFailure({ cause }))
        }
      }

      const signUp = Effect.fn("AuthService.signUp")(function* (input: {
        email: string
        password: string
        name: string
      }) {
        // Loaded on the first sign-up, like Better Auth: its list of common passwords is 2.8 MiB of live heap.
        const { passwordProblem } = yield* Effect.promise(() => import("./PasswordPolicy.ts"))
        const weak = passwordProblem(input.password, input.email)
        if (weak !== undefined) return yield* new InvalidField({ field: "body.password", message: weak })
        const body = { email: input.email, password: input.password, name: input.name }
        const result = yield* call((auth) => auth.api.signUpEmail({ body })).pipe(
          Effect.catch((rejection) => Effect.flatMap(signUpError(rejection, input.email), Effect.fail)),
        )
        if (!result.token) return yield* new AuthFailure({ cause: new Error("sign-up returned no session") })
        return { user: toUser(result.user), token: result.token }
      })

      const signIn = Effect.fn("AuthService.signIn")(function* (input: { email: string; password: string }) {
        const body = { email: input.email, password: input.password }
        const result = yield* call((auth) => auth.api.signInEmail({ body })).pipe(
          Effect.mapError(({ cause, refusal }) =>
            refusal !== undefined && (refusal.statusCode === 401 || refusal.status === "UNAUTHORIZED")
              ? new InvalidCredentials()
              : new AuthFailure({ cause }),
          ),
        )
        return { user: toUser(result.user), token: result.token }
      })

      const signOut = Effect.fn("AuthService.signOut")(function* (token: string) {
        yield* call((auth) =>
          auth.api.signOut({ headers: new Headers({ authorization: `Bearer ${token}` }) }),
        ).pipe(Effect.mapError(({ cause }) => new AuthFailure({ cause })))
        // Better Auth revokes the session it resolves; make sure the raw token is gone whatever it resolved.
        yield* sql`DELETE FROM "session" WHERE token = ${token}`.pipe(
          Effect.mapError((cause) => new AuthFailure({ cause })),
        )
        sessions.forget(token)
      })

      const lookUpSession = Effect.fn("AuthService.authenticate")(function* (token: string, now: number) {
        const rows = yield* sql<SessionRow>`
          SELECT u.id AS user_id, u.email, u.name, u."createdAt" AS created_at, s."expiresAt" AS expires_at
          FROM "session" s JOIN "user" u ON u.id = s."userId"
          WHERE s.token = ${token} AND s."expiresAt" > now()`.pipe(
          Effect.mapError(() => new Unauthorized({ message: "The session could not be checked." })),
        )
        const row = rows[0]
        if (row === undefined)
          return yield* new Unauthorized({ message: "The bearer token is unknown or expired." })
        if (row.expires_at.getTime() - Date.now() < SESSION_DAYS * 24 * 3600_000 - REFRESH_AFTER_MS) {
          // Sliding expiry, like Better Auth's updateAge: at most one write per session per day.
          yield* sql`
            UPDATE "session" SET "expiresAt" = now() + make_interval(days => ${SESSION_DAYS}), "updatedAt" = now()
            WHERE token = ${token}`.pipe(Effect.ignore, Effect.forkDetach)
        }
        const user: AuthenticatedUser = {
          id: row.user_id,
          email: row.email,
          name: row.name,
          createdAt: row.created_at.toISOString(),
          token,
        }
        sessions.set(token, user, now, row.expires_at.getTime())
        return user
      })

      // A cache hit is a Map lookup: no span of its own (it would be a fifth of a cached read's spans).
      const authenticate = (token: string) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const cached = sessions.get(token, now)
          return cached !== undefined ? Effect.succeed(cached) : lookUpSession(token, now)
        })

      return AuthService.of({ signUp, signIn, signOut, authenticate })
    }),
  )
}
