import { assert, describe, it, layer } from "@effect/vitest"
import { TestDatabaseLive } from "@todo/testkit"
import { Cause, Effect, Exit, Schema } from "effect"
import * as Model from "effect/schema/Model"
import { SqlClient } from "effect/sql/SqlClient"
import fc from "fast-check"
import { BigIntAsString, SqlTable } from "../../src/sql/SqlTable.ts"

/** A model with the kinds of column the persisted models use: identity, text, nullable, int, jsonb, defaults. */
class Note extends Model.Class<Note>("Note")({
  id: Model.GeneratedByDb(BigIntAsString),
  userId: Schema.String,
  body: Schema.String,
  dueAt: Schema.NullOr(Schema.String),
  attempts: Schema.Int,
  details: Schema.Struct({ tags: Schema.Array(Schema.String), rank: Schema.Number }),
  createdAt: Model.GeneratedByDb(Schema.Date),
}) {}

const Notes = SqlTable("sql_table_notes", Note)

const createTable = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`DROP TABLE IF EXISTS sql_table_notes`
  yield* sql`
    CREATE TABLE sql_table_notes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL, body text NOT NULL,
      due_at text, attempts integer NOT NULL, details jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`
})

const insertValue = fc.record({
  userId: fc.uuid(),
  body: fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\u0000")),
  dueAt: fc.option(
    fc.string({ maxLength: 10 }).filter((s) => !s.includes("\u0000")),
    { nil: null },
  ),
  attempts: fc.integer({ min: -1000, max: 1000 }),
  details: fc.record({
    tags: fc.array(
      fc.string({ maxLength: 8 }).filter((s) => !s.includes("\u0000")),
      { maxLength: 3 },
    ),
    rank: fc.integer({ min: -100, max: 100 }),
  }),
})

describe("SqlTable", () => {
  it("derives the column lists from the model: snake_case, inserts leave what the database generates", () => {
    assert.strictEqual(Notes.columns, "id, user_id, body, due_at, attempts, details, created_at")
    assert.strictEqual(Notes.insertColumns, "user_id, body, due_at, attempts, details")
    assert.strictEqual(Notes.column("createdAt"), "created_at")
  })

  it.effect("a row that does not match the model is a defect naming the table, not a cast that lies", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Notes.decode({ id: 1n, user_id: "u", body: 42 }))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.match(
        String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)),
        /sql_table_notes row/,
      )
    }),
  )

  it.effect("reads columns by their snake_case names, ignores the statement's extra ones, misses none", () =>
    Effect.gen(function* () {
      const createdAt = new Date("2026-11-20T08:15:30.123Z")
      const row = {
        id: 7n,
        user_id: "u",
        body: "b",
        due_at: null,
        attempts: 2,
        details: { tags: ["x"], rank: 1 },
        created_at: createdAt,
        sort_key: "extra",
      }
      const [note] = yield* Notes.decodeAll([row])
      assert.deepStrictEqual(
        { ...note },
        {
          id: "7",
          userId: "u",
          body: "b",
          dueAt: null,
          attempts: 2,
          details: { tags: ["x"], rank: 1 },
          createdAt,
        },
      )
      const { created_at: _, ...missing } = row
      const exit = yield* Effect.exit(Notes.decodeAll([missing]))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.match(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)), /createdAt/)
    }),
  )
})

layer(TestDatabaseLive(2))("SqlTable against PostgreSQL", (it) => {
  it.effect("inserts any values in the given order and reads them back through the model", () =>
    Effect.gen(function* () {
      yield* createTable
      const sql = yield* SqlClient
      const samples = fc.sample(fc.array(insertValue, { minLength: 1, maxLength: 20 }), 25)
      for (const values of samples) {
        yield* sql`TRUNCATE sql_table_notes`
        yield* Notes.insert(sql, values)
        const rows = yield* Notes.decodeAll(
          yield* sql`SELECT ${sql.literal(Notes.columns)} FROM sql_table_notes ORDER BY id`,
        )
        assert.deepStrictEqual(
          rows.map(({ userId, body, dueAt, attempts, details }) => ({
            userId,
            body,
            dueAt,
            attempts,
            details,
          })),
          values,
        )
        assert.isTrue(rows.every((r) => /^\d+$/.test(r.id) && r.createdAt instanceof Date))
      }
    }),
  )

  it.effect(
    "appends a tail (ON CONFLICT, RETURNING) and joins a FROM item evaluated before the rows go in",
    () =>
      Effect.gen(function* () {
        yield* createTable
        const sql = yield* SqlClient
        const value = {
          userId: crypto.randomUUID(),
          body: "b",
          dueAt: null,
          attempts: 1,
          details: { tags: [], rank: 0 },
        }
        const returned = yield* Notes.decodeSingle(
          yield* Notes.insert(sql, [value], {
            join: sql`(SELECT pg_advisory_xact_lock(42)) AS locked`,
            tail: sql`RETURNING ${sql.literal(Notes.columns)}`,
          }),
        )
        assert.strictEqual(returned.body, "b")
        const none = yield* Notes.decodeFirst(
          yield* sql`SELECT ${sql.literal(Notes.columns)} FROM sql_table_notes WHERE false`,
        )
        assert.isTrue(none._tag === "None")
      }),
  )
})
