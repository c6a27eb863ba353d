import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { StartupError } from "./Main.ts"

/** Pool size per process; the API's hot path is one or two statements per request. */
const maxConnections = Config.Int("PG_MAX_CONNECTIONS").pipe(Config.withDefault(10))

/** A PostgreSQL client (PgClient + SqlClient) for a connection URL. */
export const pgClientLayer = (
  url: Redacted.Redacted<string>,
  poolSize: number,
  options: { readonly recycle?: boolean } = {},
) =>
  PgClient.layer({
    url,
    maxConnections: poolSize,
    applicationName: "todo-app",
    // Neon and every managed server close idle connections; recycle before they do. (Tests that move a test clock
    // by hours turn this off: the pool measures idleness on the clock of the fiber that borrows a connection.)
    ...(options.recycle === false
      ? { idleTimeout: "3650 days" }
      : { idleTimeout: "60 seconds", connectionTTL: "30 minutes" }),
  })

/** `DATABASE_URL`, checked for shape at start-up so a typo fails with one line, not a driver stack trace. */
export const DatabaseUrl = Config.schema(
  Schema.Redacted(
    Schema.String.check(
      Schema.isPattern(/^postgres(ql)?:\/\/[^/\s]+\/?[^\s]*$/, {
        message: "Expected a URL like postgres://user:password@host:5432/database",
      }),
    ),
  ),
  "DATABASE_URL",
)

/** The innermost message of a driver error: `connect ECONNREFUSED 127.0.0.1:5432`, `password authentication failed …`. */
const innermost = (error: unknown): string => {
  let current = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}

/**
 * The server named by `DATABASE_URL` (Neon in production). One statement at start-up, so an unreachable server or
 * a wrong password stops the service with one line instead of failing the first migration with a stack trace.
 */
export const ExternalDatabase = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* DatabaseUrl
    const { host, port } = new URL(Redacted.value(url))
    return pgClientLayer(url, yield* maxConnections).pipe(
      Layer.tap((context) =>
        Context.get(context, SqlClient)`SELECT 1`.pipe(
          Effect.mapError(
            (error) =>
              new StartupError({
                message: `the database of DATABASE_URL (${host}${port ? "" : ":5432"}) does not answer: ${innermost(error)}`,
              }),
          ),
        ),
      ),
    )
  }),
)

/**
 * A real PostgreSQL server from npm binaries whose data lives in `dataDir` and survives restarts; stopped cleanly
 * when the layer's scope closes. Used by `npm start` when `DATABASE_URL` is unset.
 */
export const EmbeddedDatabase = (dataDir: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      yield* Effect.logInfo(`DATABASE_URL is not set: starting embedded PostgreSQL (data in ${dataDir})`)
      const started = Date.now()
      // Loaded here, not at the top: the deployed services always have DATABASE_URL and never start a server.
      const { startEmbeddedPostgres } = yield* Effect.promise(() => import("./EmbeddedPostgres.ts"))
      const pg = yield* startEmbeddedPostgres({ dataDir, persistent: true }).pipe(
        Effect.mapError(
          (error) =>
            new StartupError({
              message: `embedded PostgreSQL could not start: ${error.message}. Set DATABASE_URL=postgres://… to use another PostgreSQL server instead.`,
            }),
        ),
      )
      yield* Effect.logInfo(`embedded PostgreSQL is up on 127.0.0.1:${pg.port} in ${Date.now() - started} ms`)
      return pgClientLayer(pg.url, yield* maxConnections)
    }),
  )

/** `DATABASE_URL` when set, otherwise the embedded server under `.data/pg` of the working directory. */
export const DatabaseFromEnv = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.option(DatabaseUrl)
    return Option.isSome(url) ? ExternalDatabase : EmbeddedDatabase(join(process.cwd(), ".data", "pg"))
  }),
)
