import type { ListTasksQuery, Task } from "@todo/contracts"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment, Statement } from "effect/sql/Statement"
import { decodeCursor, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"
import { sortPlan, toPrefixTsQuery } from "./TaskQuery.ts"
import { type TaskChanges, type TaskFields, Tasks, toTask } from "./TaskRow.ts"

export type { TaskChanges, TaskFields } from "./TaskRow.ts"

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
    readonly insertStatement: (
      userId: string,
      id: string,
      fields: TaskFields,
    ) => Effect.Effect<Statement<Record<string, unknown>>>
    /** The task from the rows `insertStatement` returned. */
    readonly inserted: (rows: ReadonlyArray<unknown>) => Effect.Effect<Task>
    readonly find: (userId: string, id: string) => Effect.Effect<Option.Option<Task>, SqlError>
    /** Locks the row for the rest of the transaction (concurrent changes to one task queue up). */
    readonly findForUpdate: (userId: string, id: string) => Effect.Effect<Option.Option<Task>, SqlError>
    readonly update: (userId: string, id: string, changes: TaskChanges) => Effect.Effect<Task, SqlError>
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
      const columns = sql.literal(Tasks.columns)
      const decode = (rows: ReadonlyArray<unknown>) => Effect.map(Tasks.decodeFirst(rows), Option.map(toTask))
      // No spans of its own: every method is one statement, already a span of its own (`postgres`, with the
      // query text) under TaskService's span. A second span per call cost ~25 µs of CPU on every request with
      // tracing on and told nothing the SQL span does not.

      const insertStatement = (userId: string, id: string, fields: TaskFields) =>
        Tasks.insertStatement(sql, [{ ...fields, id, userId }], { tail: sql`RETURNING ${columns}` })

      const inserted = (rows: ReadonlyArray<unknown>) => Effect.map(Tasks.decodeSingle(rows), toTask)

      const insert = Effect.fnUntraced(function* (userId: string, id: string, fields: TaskFields) {
        return yield* inserted(yield* Effect.flatten(insertStatement(userId, id, fields)))
      })

      const find = Effect.fnUntraced(function* (userId: string, id: string) {
        return yield* decode(
          yield* sql`SELECT ${columns} FROM tasks WHERE id = ${id} AND user_id = ${userId}`,
        )
      })

      const findForUpdate = Effect.fnUntraced(function* (userId: string, id: string) {
        return yield* decode(
          yield* sql`SELECT ${columns} FROM tasks WHERE id = ${id} AND user_id = ${userId} FOR UPDATE`,
        )
      })

      const update = Effect.fnUntraced(function* (userId: string, id: string, changes: TaskChanges) {
        const rows = yield* sql`
          UPDATE tasks SET ${yield* Tasks.set(sql, changes)}, updated_at = now(), version = version + 1
          WHERE id = ${id} AND user_id = ${userId}
          RETURNING ${columns}`
        return toTask(yield* Tasks.decodeSingle(rows))
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
        const rows = yield* sql<{ readonly id: string; readonly sort_text: string | null }>`
          SELECT * FROM (
            SELECT ${columns}, ${rank} AS rank,
                   ${plan.key === "rank" ? rank : sql.literal(plan.expression)} AS sort_key,
                   ${plan.key === "rank" ? sql`(${rank})::text` : sql.literal(plan.text)} AS sort_text
            FROM tasks WHERE ${sql.and(where)}
          ) t
          ${keyset.length > 0 ? sql`WHERE ${sql.and(keyset)}` : sql``}
          ORDER BY ${key} ${direction} NULLS LAST, id ${direction}
          LIMIT ${limit + 1}`
        const page = yield* pageOf(
          rows,
          limit,
          plan.signature,
          (r) => r.sort_text,
          (r) => r,
        )
        const items = yield* Effect.map(Tasks.decodeAll(page.items), (decoded) => decoded.map(toTask))
        return { items, nextCursor: page.nextCursor }
      })

      const tags = Effect.fnUntraced(function* (userId: string) {
        return yield* sql<{ tag: string; count: number }>`
          SELECT tag, count(*)::int AS count FROM tasks, unnest(tags) AS tag
          WHERE user_id = ${userId} GROUP BY tag ORDER BY count DESC, tag`
      })

      return TaskRepo.of({
        insert,
        insertStatement,
        inserted,
        find,
        findForUpdate,
        update,
        remove,
        list,
        tags,
      })
    }),
  )
}
