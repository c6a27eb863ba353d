import { assert, describe, it } from "@effect/vitest"
import { Task } from "@todo/contracts"
import { Arbitrary, Cause, Effect, Exit } from "effect"
import { Tasks, toTask } from "../../src/tasks/TaskRow.ts"

/**
 * A page of rows as the driver returns them (snake_case columns, `Date`s, the list's extra sort columns) decodes,
 * through the compiled decoder, to the contract's tasks they hold; a row that breaks the model is a defect.
 */
type TaskValue = typeof Task.Type
const instantOf = (i: number) =>
  new Date(Date.UTC(2000 + (i % 90), i % 12, 1 + (i % 28), i % 24, i % 60, i % 60, i))

const asRow = (task: TaskValue, i: number) => {
  const at = (k: number) => (i % (k + 2) === 0 ? null : instantOf(i + k))
  const row = {
    id: task.id,
    title: task.title,
    description: task.description,
    priority: task.priority,
    due_date: at(1),
    remind_at: at(2),
    recurrence: task.recurrence,
    repeat_from: task.repeatFrom,
    tags: [...task.tags],
    estimate_minutes: task.estimateMinutes,
    completed: task.completed,
    completed_at: at(3),
    created_at: instantOf(i),
    updated_at: instantOf(i + 4),
    version: task.version,
    rank: "0",
    sort_key: at(1),
    sort_text: "x",
  }
  const iso = (d: Date | null) => (d === null ? null : d.toISOString())
  const expected: TaskValue = {
    ...task,
    dueDate: iso(row.due_date),
    remindAt: iso(row.remind_at),
    completedAt: iso(row.completed_at),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  }
  return { row, expected }
}

describe("TaskRow", () => {
  it.effect("a page of driver rows decodes to the tasks they hold", () =>
    Effect.gen(function* () {
      const tasks = yield* Arbitrary.sampleEffect(Arbitrary.schema(Task), { count: 200, seed: 17 })
      const pairs = tasks.map(asRow)
      for (let start = 0; start < pairs.length; start += 25) {
        const page = pairs.slice(start, start + 25)
        const decoded = yield* Tasks.decodeAll(page.map((p) => p.row))
        assert.deepStrictEqual(
          decoded.map(toTask),
          page.map((p) => p.expected),
        )
      }
    }),
  )

  it.effect(
    "a row that breaks the model (a check, a type, a missing column) is a defect naming the table",
    () =>
      Effect.gen(function* () {
        const [task] = yield* Arbitrary.sampleEffect(Arbitrary.schema(Task), { count: 1, seed: 3 })
        const { row } = asRow(task!, 1)
        const { created_at: _, ...missing } = row
        for (const broken of [
          { ...row, id: "not-a-uuid" },
          { ...row, estimate_minutes: 0 },
          { ...row, priority: "someday" },
          { ...row, due_date: "2026-11-20T08:15:30.123Z" },
          { ...row, version: 0 },
          missing,
        ]) {
          const exit = yield* Effect.exit(Tasks.decodeAll([row, broken]))
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), JSON.stringify(broken))
          assert.match(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)), /tasks row/)
        }
      }),
  )
})
