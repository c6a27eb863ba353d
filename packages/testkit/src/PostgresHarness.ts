import { createHash, randomUUID } from "node:crypto"
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { MIGRATIONS_DIR, pgClientLayer, runMigrations } from "@todo/runtime"
import { startEmbeddedPostgres } from "@todo/runtime/embedded-postgres"
import { inject } from "vitest"

/**
 * PostgreSQL for tests: the server named by TEST_DATABASE_URL, or an embedded one started once per test run. Each
 * test file gets its own database, cloned from a template that has every migration applied (cloning takes a few
 * milliseconds; migrating takes far longer), and dropped when the file is done.
 */

const withUrl = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** Runs statements on the server's maintenance database and closes the connection. */
const admin = <A>(url: string, f: (sql: SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const sql = yield* SqlClient
        return yield* f(sql)
      }).pipe(Effect.provide(pgClientLayer(Redacted.make(url), 1))),
    ) as Effect.Effect<A, unknown, never>,
  )

/** The template's name changes whenever a migration file changes, so a stale template is never reused. */
export const templateName = () => {
  const hash = createHash("sha256")
  for (const file of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)))
  // Not `todo_t…`: older harnesses swept every name LIKE 'todo_t_%' (templates included) from a shared server.
  return `todotmpl_${hash.digest("hex").slice(0, 16)}`
}

/** An error vitest prints as its message alone: the stack of a start-up failure says nothing to whoever reads it. */
const withoutStack = (message: string) => {
  const error = new Error(message)
  error.stack = `Error: ${message}`
  return error
}

const TEST_DATABASE = /^todo_t_(\d+)_[0-9a-f]+$/

/**
 * Whether `name` is a test database (createTestDatabase: `todo_t_<created, unix seconds>_<random>`) left behind by
 * an interrupted run more than six hours ago. Nothing else is: not a template (`todo_tmpl_…`, which `LIKE 'todo_t_%'`
 * also matches: `_` is LIKE's any-character), not a database of a run going on beside this one on a shared server.
 */
export const isStaleTestDatabase = (name: string, nowSeconds: number) => {
  const created = name.match(TEST_DATABASE)?.[1]
  return created !== undefined && Number(created) < nowSeconds - 6 * 3600
}

export interface ServerHandle {
  readonly url: string
  readonly template: string
  readonly stop: () => Promise<void>
}

/** Used by the vitest global setup: find or start the server, build the template database. */
export const prepareServer = async (): Promise<ServerHandle> => {
  let url = process.env.TEST_DATABASE_URL
  let stop = async () => {}
  if (!url) {
    const dataDir = mkdtempSync(join(tmpdir(), "todo-test-pg-"))
    // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user, which must reach the data dir inside
    // (else startEmbeddedPostgres would move the data under /var/lib/todo-app for the run).
    chmodSync(dataDir, 0o755)
    const scope = Effect.runSync(Scope.make())
    const handle = await Effect.runPromise(
      startEmbeddedPostgres({ dataDir: join(dataDir, "data"), persistent: false }).pipe(
        Scope.provide(scope),
        Effect.catchTag("EmbeddedPostgresError", (error) =>
          Effect.sync(() => {
            rmSync(dataDir, { recursive: true, force: true })
            throw withoutStack(
              `embedded PostgreSQL could not start for the tests: ${error.message}. Set TEST_DATABASE_URL=postgres://… to use another PostgreSQL server instead.`,
            )
          }),
        ),
      ),
    )
    url = Redacted.value(handle.url)
    stop = async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  const template = templateName()
  const serverUrl = url
  await admin(serverUrl, (sql) =>
    Effect.gen(function* () {
      // Databases left behind by an interrupted run: only those older than six hours (their names carry their
      // creation time), never those of a run going on beside this one on a shared server.
      const candidates = yield* sql<{
        datname: string
      }>`SELECT datname FROM pg_database WHERE starts_with(datname, 'todo_t_')`
      const now = Math.floor(Date.now() / 1000)
      for (const { datname } of candidates) {
        if (isStaleTestDatabase(datname, now))
          yield* sql.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
      }
      const exists = yield* sql`SELECT 1 FROM pg_database WHERE datname = ${template}`
      if (exists.length > 0) return
      const building = `${template}_build_${process.pid}`
      yield* sql.unsafe(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`)
      yield* sql.unsafe(`CREATE DATABASE "${building}"`)
      yield* Effect.promise(() =>
        Effect.runPromise(
          runMigrations.pipe(Effect.provide(pgClientLayer(Redacted.make(withUrl(serverUrl, building)), 1))),
        ),
      )
      // Rename only once complete, so a crash mid-migration never leaves a half-built template behind.
      yield* sql.unsafe(`ALTER DATABASE "${building}" RENAME TO "${template}"`).pipe(Effect.ignore)
    }),
  )
  return { url: serverUrl, template, stop }
}

export interface TestDatabaseHandle {
  readonly url: string
  readonly name: string
  readonly drop: () => Promise<void>
}

/** The key under which the global setup provides the server and its template to the test workers. */
export const TEST_SERVER = "todoTestServer"

declare module "vitest" {
  export interface ProvidedContext {
    todoTestServer: TestServer
  }
}

const provided = () => {
  const server = inject(TEST_SERVER)
  if (!server)
    throw new Error("no test PostgreSQL server was provided: run tests through vitest.workspace.ts")
  return server
}

/** The test server and its template, as the global setup provides them. */
export type TestServer = { readonly url: string; readonly template: string }

/**
 * A fresh, fully migrated database for one test file (or one child-process scenario); `migrated: false` gives an
 * empty one (to see what a service does before or instead of migrating). In a test worker the server is the one
 * the global setup provided; a project's own global setup (outside the workers) passes it as `server`.
 */
export const createTestDatabase = async (
  options: { readonly migrated?: boolean; readonly server?: TestServer } = {},
): Promise<TestDatabaseHandle> => {
  const { url, template } = options.server ?? provided()
  const name = `todo_t_${Math.floor(Date.now() / 1000)}_${randomUUID().replaceAll("-", "").slice(0, 12)}`
  const from = options.migrated === false ? "" : ` TEMPLATE "${template}"`
  await admin(url, (sql) => sql.unsafe(`CREATE DATABASE "${name}"${from}`))
  return {
    url: withUrl(url, name),
    name,
    drop: () =>
      admin(url, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  }
}

/** A layer giving SqlClient/PgClient on a fresh test database, dropped when the layer is released. */
export const TestDatabaseLive = (poolSize = 10) =>
  Layer.unwrap(
    Effect.acquireRelease(
      Effect.promise(() => createTestDatabase()),
      (db) => Effect.promise(() => db.drop()),
    ).pipe(Effect.map((db) => pgClientLayer(Redacted.make(db.url), poolSize, { recycle: false }))),
  )

/** Runs one SQL statement on a database and returns its rows (for assertions on what the system wrote). */
export const queryRows = <A extends object = Record<string, unknown>>(
  url: string,
  text: string,
  params: ReadonlyArray<unknown> = [],
) => admin(url, (sql) => sql.unsafe<A>(text, params)) as Promise<ReadonlyArray<A>>
