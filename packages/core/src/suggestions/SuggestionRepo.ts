import { randomUUID } from "node:crypto"
import { type ListSuggestionsQuery, Suggestion, type SuggestionType } from "@todo/contracts"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { count, DateAsIsoString, isoMicros, SqlTable, suggestionsCreated } from "@todo/runtime"
import * as Model from "effect/schema/Model"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import { decodeCursor, MicrosInstant, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"

// The contract's fields, as stored (`proposedChange` is jsonb, decoded by the contract's schema).
const { status, createdAt, ...given } = Suggestion.fields

/**
 * A row of `suggestions`, declared once: selected, it is the contract's `Suggestion` (withdrawn rows are never
 * selected); inserted, the agent's proposal with its owner; the database sets status and time.
 */
export class SuggestionRow extends Model.Class<SuggestionRow>("SuggestionRow")({
  ...given,
  userId: Model.FieldOnly(["insert"])(Schema.String),
  status: Model.FieldOnly(["select", "update", "json"])(status),
  createdAt: Model.GeneratedByDb(DateAsIsoString),
}) {}

const Suggestions = SqlTable("suggestions", SuggestionRow)

const toSuggestion = (row: SuggestionRow): Suggestion => ({ ...row })

/** An agent's proposal, before the database gives it a status and a time. */
export type NewSuggestion = Omit<typeof SuggestionRow.insert.Type, "id">

/** Withdrawn suggestions (their task was completed or deleted) are history, never listed. */
const LISTED = ["pending", "accepted", "dismissed"] as const

export class SuggestionRepo extends Context.Service<
  SuggestionRepo,
  {
    readonly list: (
      userId: string,
      query: ListSuggestionsQuery,
    ) => Effect.Effect<
      { items: ReadonlyArray<Suggestion>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly findForUpdate: (userId: string, id: string) => Effect.Effect<Option.Option<Suggestion>, SqlError>
    /**
     * Inserts a pending suggestion unless the task already has one of this type or is no longer open; the unique
     * partial index decides races between sweeps, events and replicas. `None` when nothing was inserted.
     */
    readonly insertPending: (s: NewSuggestion) => Effect.Effect<Option.Option<Suggestion>, SqlError>
    /** The set-based form for sweeps: one statement for many suggestions; returns those actually inserted. */
    readonly insertPendingMany: (
      suggestions: ReadonlyArray<NewSuggestion>,
    ) => Effect.Effect<ReadonlyArray<Suggestion>, SqlError>
    readonly setStatus: (id: string, status: "accepted" | "dismissed") => Effect.Effect<Suggestion, SqlError>
    /** Withdraws a task's pending suggestions (all types, or the given ones); returns how many. */
    readonly withdrawPending: (
      taskId: string,
      types?: ReadonlyArray<SuggestionType>,
    ) => Effect.Effect<number, SqlError>
  }
>()("@todo/core/SuggestionRepo") {
  static readonly layer = Layer.effect(
    SuggestionRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const columns = sql.literal(Suggestions.columns)
      const decodePage = <P extends { readonly items: ReadonlyArray<unknown> }>(page: P) =>
        Effect.map(Suggestions.decodeAll(page.items), (rows) => ({ ...page, items: rows.map(toSuggestion) }))

      const list = Effect.fn("SuggestionRepo.list")(function* (userId: string, query: ListSuggestionsQuery) {
        const limit = query.limit ?? 50
        const status = query.status ?? "pending"
        const signature = `suggestions:${status}:${query.taskId ?? ""}`
        const where: Array<Fragment> = [sql`user_id = ${userId}`]
        where.push(status === "all" ? sql.in("status", LISTED) : sql`status = ${status}`)
        if (query.taskId !== undefined) where.push(sql`task_id = ${query.taskId}`)
        if (query.cursor !== undefined) {
          const c = yield* decodeCursor(query.cursor, { signature, value: MicrosInstant, id: UuidId })
          where.push(sql`(created_at, id) < (${c.v}, ${c.id})`)
        }
        const rows = yield* sql<{ readonly id: string; readonly cursor_at: string }>`
          SELECT ${columns}, ${sql.literal(isoMicros("created_at"))} AS cursor_at
          FROM suggestions WHERE ${sql.and(where)}
          ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`
        return yield* decodePage(
          yield* pageOf(
            rows,
            limit,
            signature,
            (r) => r.cursor_at,
            (r) => r,
          ),
        )
      })

      const findForUpdate = Effect.fn("SuggestionRepo.findForUpdate")(function* (userId: string, id: string) {
        const rows = yield* sql`
          SELECT ${columns} FROM suggestions WHERE id = ${id} AND user_id = ${userId} AND status <> 'withdrawn'
          FOR UPDATE`
        return Option.map(yield* Suggestions.decodeFirst(rows), toSuggestion)
      })

      /** Inserts those of `list` whose task is the user's and open, unless one of the type is pending already. */
      const insertOpen = (list: ReadonlyArray<NewSuggestion>) =>
        Suggestions.insert(
          sql,
          list.map((s) => ({ ...s, id: randomUUID() })),
          {
            join: sql`tasks t`,
            where: sql`t.id = given.task_id AND t.user_id = given.user_id AND NOT t.completed`,
            tail: sql`ON CONFLICT (task_id, type) WHERE status = 'pending' DO NOTHING RETURNING ${columns}`,
          },
        ).pipe(Effect.flatMap(Suggestions.decodeAll))

      const insertPending = Effect.fn("SuggestionRepo.insertPending")(function* (s: NewSuggestion) {
        const [row] = yield* insertOpen([s])
        return Option.map(Option.fromNullishOr(row), toSuggestion)
      })

      const insertPendingMany = Effect.fn("SuggestionRepo.insertPendingMany")(function* (
        list: ReadonlyArray<NewSuggestion>,
      ) {
        if (list.length === 0) return []
        const rows = yield* insertOpen(list)
        for (const r of rows) yield* count(suggestionsCreated, { type: r.type, source: r.sourceEvent })
        return rows.map(toSuggestion)
      })

      const setStatus = Effect.fn("SuggestionRepo.setStatus")(function* (
        id: string,
        status: "accepted" | "dismissed",
      ) {
        const rows = yield* sql`
          UPDATE suggestions SET ${yield* Suggestions.set(sql, { status })}, resolved_at = now()
          WHERE id = ${id} RETURNING ${columns}`
        return toSuggestion(yield* Suggestions.decodeSingle(rows))
      })

      const withdrawPending = Effect.fn("SuggestionRepo.withdrawPending")(function* (
        taskId: string,
        types?: ReadonlyArray<SuggestionType>,
      ) {
        const rows = yield* sql`
          UPDATE suggestions SET status = 'withdrawn', resolved_at = now()
          WHERE task_id = ${taskId} AND status = 'pending'
          ${types !== undefined ? sql`AND ${sql.in("type", types)}` : sql``}
          RETURNING id`
        return rows.length
      })

      return SuggestionRepo.of({
        list,
        findForUpdate,
        insertPending,
        insertPendingMany,
        setStatus,
        withdrawPending,
      })
    }),
  )
}
