import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, type Redacted, Schema } from "effect"
import { startEmbeddedPostgres } from "./EmbeddedPostgres.ts"

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

/** The server named by `DATABASE_URL` (Neon in production). */
export const ExternalDatabase = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* DatabaseUrl
    return pgClientLayer(url, yield* maxConnections)
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
      const pg = yield* startEmbeddedPostgres({ dataDir, persistent: true })
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
