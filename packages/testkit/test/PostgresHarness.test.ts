import { assert, describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { isStaleTestDatabase, TestDatabaseLive } from "../src/PostgresHarness.ts"

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

describe("stale test databases", () => {
  const now = 1_800_000_000
  it("are test databases created more than six hours ago, never a template or a recent one", () => {
    const old = now - 7 * 3600
    expect(isStaleTestDatabase(`todo_t_${old}_0123456789ab`, now)).toBe(true)
    expect(isStaleTestDatabase(`todo_t_${now - 60}_0123456789ab`, now)).toBe(false)
    // A template's name also starts with todo_t when `_` is LIKE's wildcard: it was dropped by every test run.
    expect(isStaleTestDatabase("todo_tmpl_48d3ceb8f2eb212b", now)).toBe(false)
    expect(isStaleTestDatabase(`todo_tmpl_48d3ceb8f2eb212b_build_${old}`, now)).toBe(false)
    expect(isStaleTestDatabase("todo_t_not_a_time", now)).toBe(false)
  })
})
