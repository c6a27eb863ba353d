import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { TestDatabaseLive } from "../src/PostgresHarness.ts"

layer(TestDatabaseLive())("PostgresHarness", (it) => {
  it.effect("gives a fresh database with every migration applied", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const tables = yield* sql<{ tablename: string }>`
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
      const names = tables.map((t) => t.tablename)
      for (const t of [
        "user",
        "session",
        "tasks",
        "suggestions",
        "outbox",
        "processed_events",
        "schema_migrations",
      ]) {
        assert.include(names, t)
      }
      const [{ n }] = (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks`) as [{ n: number }]
      assert.strictEqual(n, 0)
    }),
  )
})

describe("PostgresHarness isolation", () => {
  it.effect("each layer is its own database", () =>
    Effect.gen(function* () {
      const name = (db: string) => db
      const names = yield* Effect.all(
        [1, 2].map(() =>
          Effect.gen(function* () {
            const sql = yield* SqlClient
            const [row] = yield* sql<{ db: string }>`SELECT current_database() AS db`
            return name(row!.db)
          }).pipe(Effect.provide(TestDatabaseLive(1))),
        ),
      )
      assert.notStrictEqual(names[0], names[1])
      assert.match(names[0]!, /^todo_t_/)
    }),
  )
})
