import { assert, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { EXAMPLE_TASK, Task } from "@todo/contracts"
import { TestDatabaseLive } from "@todo/testkit"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import fc from "fast-check"
import { TaskRepo } from "../../src/tasks/TaskRepo.ts"
import { TASK_DEFAULTS, type TaskFields, Tasks } from "../../src/tasks/TaskRow.ts"

const seedUser = Effect.gen(function* () {
  const sql = yield* SqlClient
  const id = randomUUID()
  yield* sql`INSERT INTO "user" (id, name, email, "emailVerified") VALUES (${id}, 'T', ${`${id}@example.com`}, false)`
  return id
})

const text = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => !s.includes("\u0000"))
const instant = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2090-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString())

/** Any fields a task may be stored with, every nullable one null or not. */
const fields: fc.Arbitrary<TaskFields> = fc.record({
  title: text(200),
  description: fc.option(text(500), { nil: null }),
  priority: fc.constantFrom("low", "medium", "high", "urgent"),
  dueDate: fc.option(instant, { nil: null }),
  remindAt: fc.option(instant, { nil: null }),
  recurrence: fc.option(fc.constantFrom("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO"), { nil: null }),
  repeatFrom: fc.constantFrom("dueDate", "completion"),
  tags: fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,10}$/), { maxLength: 5 }),
  estimateMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: null }),
  prioritySetAt: fc.option(instant, { nil: null }),
})

layer(TaskRepo.layer.pipe(Layer.provideMerge(TestDatabaseLive(2))))("TaskRepo against PostgreSQL", (it) => {
  it.effect(
    "stores any task fields and reads back the contract's Task, through insert, find, update and list",
    () =>
      Effect.gen(function* () {
        const repo = yield* TaskRepo
        const sql = yield* SqlClient
        const user = yield* seedUser
        for (const [given, changes] of fc.sample(fc.tuple(fields, fields), 30)) {
          const id = randomUUID()
          const { prioritySetAt, ...expected } = given
          const inserted = yield* repo.insert(user, id, given)
          assert.deepStrictEqual(
            { ...inserted },
            {
              ...inserted,
              ...expected,
              id,
              completed: false,
              completedAt: null,
              version: 1,
            },
          )
          // What the repository answers is exactly a Task of the contract (no column more, none less).
          assert.deepStrictEqual(
            Schema.decodeUnknownSync(Task, { onExcessProperty: "error" })(inserted),
            inserted,
          )
          const [stored] = yield* sql<{ priority_set_at: Date | null }>`
          SELECT priority_set_at FROM tasks WHERE id = ${id}`
          assert.strictEqual(stored?.priority_set_at?.toISOString() ?? null, prioritySetAt)

          assert.deepStrictEqual(yield* repo.find(user, id), Option.some(inserted))
          const { prioritySetAt: _, ...changed } = changes
          const updated = yield* repo.update(user, id, changes)
          assert.deepStrictEqual({ ...updated }, { ...updated, ...changed, id, version: 2 })
          const page = yield* repo.list(user, { limit: 100 }, new Date())
          assert.deepStrictEqual(
            page.items.find((t) => t.id === id),
            updated,
          )
        }
      }),
  )

  it.effect("clears nullable fields with null, leaves the ones not given, and completes", () =>
    Effect.gen(function* () {
      const repo = yield* TaskRepo
      const user = yield* seedUser
      const id = randomUUID()
      yield* repo.insert(user, id, { ...TASK_DEFAULTS, title: "Estimate me", estimateMinutes: 30 })
      const cleared = yield* repo.update(user, id, { estimateMinutes: null })
      assert.strictEqual(cleared.estimateMinutes, null)
      assert.strictEqual(cleared.title, "Estimate me")
      const done = yield* repo.update(user, id, { completed: true, completedAt: "2030-01-01T00:00:00.000Z" })
      assert.deepStrictEqual(
        [done.completed, done.completedAt, done.version],
        [true, "2030-01-01T00:00:00.000Z", 3],
      )
    }),
  )

  it.effect(
    "the database refuses an estimate outside 1–1440 even past the schema (the check constraint)",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const user = yield* seedUser
        const insert = (estimate: number) =>
          sql`INSERT INTO tasks (id, user_id, title, estimate_minutes) VALUES (${randomUUID()}, ${user}, 't', ${estimate})`
        assert.isTrue((yield* Effect.exit(insert(0)))._tag === "Failure")
        assert.isTrue((yield* Effect.exit(insert(1441)))._tag === "Failure")
        assert.isTrue((yield* Effect.exit(insert(1440)))._tag === "Success")
      }),
  )

  it("derives its column lists from the model, the contract's fields in snake_case", () => {
    const selected = Tasks.columns.split(", ")
    assert.deepStrictEqual(
      [...selected].sort(),
      Object.keys(EXAMPLE_TASK)
        .map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
        .sort(),
    )
    assert.include(Tasks.insertColumns, "estimate_minutes")
    assert.include(Tasks.insertColumns, "priority_set_at")
    assert.notInclude(Tasks.insertColumns, "version")
  })
})
