import type { ListTasksQuery, Priority, RepeatFrom, Task } from "@todo/contracts"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment, Statement } from "effect/sql/Statement"
import { decodeCursor, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"
import { sortPlan, toPrefixTsQuery } from "./TaskQuery.ts"
import { TASK_COLUMNS, type TaskRow, toTask } from "./TaskRow.ts"

/** The stored fields of a task that callers set (everything but ids, timestamps and version). */
export interface TaskFields {
  readonly title: string
  readonly description: string | null
  readonly priority: Priority
  readonly dueDate: string | null
  readonly remindAt: string | null
  readonly recurrence: string | null
  readonly repeatFrom: RepeatFrom
  readonly tags: ReadonlyArray<string>
}

export interface TaskPage {
  readonly items: ReadonlyArray<Task>
  readonly nextCursor: string | null
}

const DEFAULT_LIMIT = 50

/** Plain SQL over `tasks`, always scoped to one user: there is no query here that can reach another's rows. */
export class TaskRepo extends Context.Service<
  TaskRepo,
  {
    readonly insert: (userId: string, id: string, fields: TaskFields) => Effect.Effect<Task, SqlError>
    /** The INSERT of `insert`, not run (`RETURNING` the row): for a statement that writes its event too. */
    readonly insertStatement: (userId: string, id: string, fields: TaskFields) => Statement<TaskRow>
    readonly find: (userId: string, id: string) => Effect.Effect<Option.Option<Task>, SqlError>
    /** Locks the row for the rest of the transaction (concurrent changes to one task queue up). */
    readonly findForUpdate: (userId: string, id: string) => Effect.Effect<Option.Option<Task>, SqlError>
    readonly update: (
      userId: string,
      id: string,
      fields: Partial<TaskFields> & { readonly completed?: boolean; readonly completedAt?: string | null },
    ) => Effect.Effect<Task, SqlError>
    readonly remove: (userId: string, id: string) => Effect.Effect<boolean, SqlError>
    readonly list: (
      userId: string,
      query: ListTasksQuery,
      now: Date,
    ) => Effect.Effect<TaskPage, SqlError | InvalidCursor>
    readonly tags: (userId: string) => Effect.Effect<ReadonlyArray<{ tag: string; count: number }>, SqlError>
  }
>()("@todo/core/TaskRepo") {
  static readonly layer = Layer.effect(
    TaskRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const columns = sql.literal(TASK_COLUMNS)
      // No spans of its own: every method is one statement, already a span of its own (`postgres`, with the
      // query text) under TaskService's span. A second span per call cost ~25 µs of CPU on every request with
      // tracing on and told nothing the SQL span does not.

      const insertStatement = (userId: string, id: string, f: TaskFields) => sql<TaskRow>`
          INSERT INTO tasks (id, user_id, title, description, priority, due_date, remind_at, recurrence,
                             repeat_from, tags)
          VALUES (${id}, ${userId}, ${f.title}, ${f.description}, ${f.priority}, ${f.dueDate}, ${f.remindAt},
                  ${f.recurrence}, ${f.repeatFrom}, ${f.tags as Array<string>})
          RETURNING ${columns}`

      const insert = Effect.fnUntraced(function* (userId: string, id: string, f: TaskFields) {
        const [row] = yield* insertStatement(userId, id, f)
        return toTask(row!)
      })

      const find = Effect.fnUntraced(function* (userId: string, id: string) {
        const rows =
          yield* sql<TaskRow>`SELECT ${columns} FROM tasks WHERE id = ${id} AND user_id = ${userId}`
        return Option.map(Option.fromNullishOr(rows[0]), toTask)
      })

      const findForUpdate = Effect.fnUntraced(function* (userId: string, id: string) {
        const rows = yield* sql<TaskRow>`
          SELECT ${columns} FROM tasks WHERE id = ${id} AND user_id = ${userId} FOR UPDATE`
        return Option.map(Option.fromNullishOr(rows[0]), toTask)
      })

      const update = Effect.fnUntraced(function* (
        userId: string,
        id: string,
        f: Partial<TaskFields> & { readonly completed?: boolean; readonly completedAt?: string | null },
      ) {
        const set: Record<string, unknown> = {}
        if (f.title !== undefined) set.title = f.title
        if (f.description !== undefined) set.description = f.description
        if (f.priority !== undefined) set.priority = f.priority
        if (f.dueDate !== undefined) set.due_date = f.dueDate
        if (f.remindAt !== undefined) set.remind_at = f.remindAt
        if (f.recurrence !== undefined) set.recurrence = f.recurrence
        if (f.repeatFrom !== undefined) set.repeat_from = f.repeatFrom
        if (f.tags !== undefined) set.tags = f.tags
        if (f.completed !== undefined) set.completed = f.completed
        if (f.completedAt !== undefined) set.completed_at = f.completedAt
        const [row] = yield* sql<TaskRow>`
          UPDATE tasks SET ${sql.update(set)}, updated_at = now(), version = version + 1
          WHERE id = ${id} AND user_id = ${userId}
          RETURNING ${columns}`
        return toTask(row!)
      })

      const remove = Effect.fnUntraced(function* (userId: string, id: string) {
        const rows = yield* sql`DELETE FROM tasks WHERE id = ${id} AND user_id = ${userId} RETURNING id`
        return rows.length > 0
      })

      const list = Effect.fnUntraced(function* (userId: string, query: ListTasksQuery, now: Date) {
        const plan = sortPlan(query)
        const limit = query.limit ?? DEFAULT_LIMIT
        const cursor =
          query.cursor === undefined
            ? undefined
            : yield* decodeCursor(query.cursor, {
                signature: plan.signature,
                value: plan.cursorValue,
                id: UuidId,
              })
        const tsquery = query.q !== undefined ? toPrefixTsQuery(query.q) : undefined
        if (query.q !== undefined && tsquery === undefined) return { items: [], nextCursor: null }

        const where: Array<Fragment> = [sql`user_id = ${userId}`]
        const status = query.status ?? "all"
        if (status === "open") where.push(sql`NOT completed`)
        if (status === "completed") where.push(sql`completed`)
        if (query.priority !== undefined && query.priority.length > 0)
          where.push(sql.in("priority", query.priority))
        if (query.tag !== undefined && query.tag.length > 0)
          where.push(sql`tags && ${query.tag as Array<string>}`)
        if (query.dueBefore !== undefined) where.push(sql`due_date < ${query.dueBefore}`)
        if (query.dueAfter !== undefined) where.push(sql`due_date >= ${query.dueAfter}`)
        if (query.remindAfter !== undefined) where.push(sql`remind_at >= ${query.remindAfter}`)
        if (query.overdue === true) where.push(sql`NOT completed AND due_date < ${now.toISOString()}`)
        if (query.overdue === false) {
          where.push(sql`(completed OR due_date IS NULL OR due_date >= ${now.toISOString()})`)
        }
        if (tsquery !== undefined) where.push(sql`search @@ to_tsquery('simple', ${tsquery})`)

        const key = sql.literal("sort_key")
        const keyset: Array<Fragment> = []
        if (cursor !== undefined) {
          const op = sql.literal(plan.order === "asc" ? ">" : "<")
          if (plan.nullable && cursor.v === null) keyset.push(sql`(${key} IS NULL AND id ${op} ${cursor.id})`)
          else if (plan.nullable) {
            keyset.push(
              sql`(${key} ${op} ${cursor.v} OR (${key} = ${cursor.v} AND id ${op} ${cursor.id}) OR ${key} IS NULL)`,
            )
          } else keyset.push(sql`(${key}, id) ${op} (${cursor.v}, ${cursor.id})`)
        }
        const direction = sql.literal(plan.order === "asc" ? "ASC" : "DESC")
        const rank =
          tsquery !== undefined
            ? sql`round(ts_rank_cd(search, to_tsquery('simple', ${tsquery}))::numeric, 8)`
            : sql`0::numeric`
        const rows = yield* sql<TaskRow & { sort_text: string | null }>`
          SELECT * FROM (
            SELECT ${columns}, ${rank} AS rank,
                   ${plan.key === "rank" ? rank : sql.literal(plan.expression)} AS sort_key,
                   ${plan.key === "rank" ? sql`(${rank})::text` : sql.literal(plan.text)} AS sort_text
            FROM tasks WHERE ${sql.and(where)}
          ) t
          ${keyset.length > 0 ? sql`WHERE ${sql.and(keyset)}` : sql``}
          ORDER BY ${key} ${direction} NULLS LAST, id ${direction}
          LIMIT ${limit + 1}`
        return yield* pageOf(rows, limit, plan.signature, (r) => r.sort_text, toTask)
      })

      const tags = Effect.fnUntraced(function* (userId: string) {
        return yield* sql<{ tag: string; count: number }>`
          SELECT tag, count(*)::int AS count FROM tasks, unnest(tags) AS tag
          WHERE user_id = ${userId} GROUP BY tag ORDER BY count DESC, tag`
      })

      return TaskRepo.of({ insert, insertStatement, find, findForUpdate, update, remove, list, tags })
    }),
  )
}
