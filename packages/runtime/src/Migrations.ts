import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Config, Effect, Layer } from "effect"
import * as Migrator from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

/** Versioned SQL files `NNNN_name.sql`, applied in order, each in its own transaction. */
export const MIGRATIONS_DIR = join(import.meta.dirname, "..", "migrations")
export const MIGRATIONS_TABLE = "schema_migrations"

/**
 * Splits a SQL file into statements: the driver always uses the extended protocol, which takes one statement at a
 * time (docs/stack.md, PostgreSQL). A statement ends at a `;` closing a line, except inside a `$$ … $$` body.
 */
export const splitStatements = (text: string): ReadonlyArray<string> => {
  const statements: Array<string> = []
  let current: Array<string> = []
  let inDollar = false
  for (const line of text.split("\n")) {
    const trimmed = line.trim()
    if (current.length === 0 && (trimmed === "" || trimmed.startsWith("--"))) continue
    current.push(line)
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar
    if (!inDollar && trimmed.endsWith(";")) {
      statements.push(current.join("\n").trim())
      current = []
    }
  }
  const rest = current.join("\n").trim()
  if (rest !== "") statements.push(rest)
  return statements
}

export const sqlFileLoader = (dir: string): Migrator.Loader =>
  Effect.try({
    try: () =>
      readdirSync(dir)
        .flatMap((file): Array<Migrator.ResolvedMigration> => {
          const m = file.match(/^(\d+)_(.+)\.sql$/)
          if (!m) return []
          const text = readFileSync(join(dir, file), "utf8")
          // The third element must *return* the migration effect, not run it.
          const migration = Effect.gen(function* () {
            const sql = yield* SqlClient
            for (const statement of splitStatements(text)) yield* sql.unsafe(statement).unprepared
          })
          return [[Number(m[1]), m[2]!, Effect.succeed(migration)]]
        })
        .sort((a, b) => a[0] - b[0]),
    catch: (cause) =>
      new Migrator.MigrationError({ kind: "ImportError", cause, message: `cannot read ${dir}` }),
  })

const migrator = Migrator.make({})

/** Applies pending migrations (under the migrator's table lock, so replicas starting together are safe). */
export const runMigrations = migrator({
  loader: sqlFileLoader(MIGRATIONS_DIR),
  table: MIGRATIONS_TABLE,
}).pipe(
  Effect.tap((applied) =>
    applied.length === 0
      ? Effect.logDebug("database schema is up to date")
      : Effect.logInfo(`applied migrations: ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`),
  ),
  Effect.withSpan("migrations.run"),
)

/** Runs the migrations at start-up unless `MIGRATE_ON_START=false` (in Kubernetes a hook Job runs them). */
export const MigrationsOnStart = Layer.effectDiscard(
  Effect.gen(function* () {
    const enabled = yield* Config.Boolean("MIGRATE_ON_START").pipe(Config.withDefault(true))
    if (enabled) yield* runMigrations
  }),
)
