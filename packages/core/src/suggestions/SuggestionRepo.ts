import { randomUUID } from "node:crypto"
import type { ListSuggestionsQuery, ProposedChange, Suggestion, SuggestionType } from "@todo/contracts"
import { Context, Effect, Layer, Option } from "effect"
import { count, suggestionsCreated } from "@todo/runtime/Metrics"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import { decodeCursor, MicrosInstant, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"
import { isoMicros } from "@todo/runtime/sql/Keyset"

interface SuggestionRow {
  readonly id: string
  readonly user_id: string
  readonly task_id: string
  readonly type: SuggestionType
  readonly message: string
  readonly proposed_change: ProposedChange | string
  readonly status: Suggestion["status"]
  readonly source_event: string
  readonly correlation_id: string | null
  readonly created_at: Date
}

const COLUMNS =
  "id, user_id, task_id, type, message, proposed_change, status, source_event, correlation_id, created_at"

const toSuggestion = (row: SuggestionRow): Suggestion => ({
  id: row.id,
  taskId: row.task_id,
  type: row.type,
  message: row.message,
  proposedChange:
    typeof row.proposed_change === "string"
      ? (JSON.parse(row.proposed_change) as ProposedChange)
      : row.proposed_change,
  status: row.status,
  sourceEvent: row.source_event,
  correlationId: row.correlation_id,
  createdAt: row.created_at.toISOString(),
})

export interface NewSuggestion {
  readonly userId: string
  readonly taskId: string
  readonly type: SuggestionType
  readonly message: string
  readonly proposedChange: ProposedChange
  readonly sourceEvent: string
  readonly correlationId: string | null
}

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
      const columns = sql.literal(COLUMNS)

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
        const rows = yield* sql<SuggestionRow & { cursor_at: string }>`
          SELECT ${columns}, ${sql.literal(isoMicros("created_at"))} AS cursor_at
          FROM suggestions WHERE ${sql.and(where)}
          ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`
        return yield* pageOf(rows, limit, signature, (r) => r.cursor_at, toSuggestion)
      })

      const findForUpdate = Effect.fn("SuggestionRepo.findForUpdate")(function* (userId: string, id: string) {
        const rows = yield* sql<SuggestionRow>`
          SELECT ${columns} FROM suggestions WHERE id = ${id} AND user_id = ${userId} AND status <> 'withdrawn'
          FOR UPDATE`
        return Option.map(Option.fromNullishOr(rows[0]), toSuggestion)
      })

      const insertPending = Effect.fn("SuggestionRepo.insertPending")(function* (s: NewSuggestion) {
        const rows = yield* sql<SuggestionRow>`
          INSERT INTO suggestions (id, user_id, task_id, type, message, proposed_change, source_event, correlation_id)
          SELECT ${randomUUID()}, ${s.userId}, t.id, ${s.type}, ${s.message}, ${JSON.stringify(s.proposedChange)}::jsonb,
                 ${s.sourceEvent}, ${s.correlationId}
          FROM tasks t WHERE t.id = ${s.taskId} AND t.user_id = ${s.userId} AND NOT t.completed
          ON CONFLICT (task_id, type) WHERE status = 'pending' DO NOTHING
          RETURNING ${columns}`
        return Option.map(Option.fromNullishOr(rows[0]), toSuggestion)
      })

      const insertPendingMany = Effect.fn("SuggestionRepo.insertPendingMany")(function* (
        list: ReadonlyArray<NewSuggestion>,
      ) {
        if (list.length === 0) return []
        const rows = yield* sql<SuggestionRow>`
          INSERT INTO suggestions (id, user_id, task_id, type, message, proposed_change, source_event, correlation_id)
          SELECT n.id, n.user_id, n.task_id, n.type, n.message, n.proposed_change, n.source_event, n.correlation_id
          FROM unnest(${list.map(() => randomUUID())}::uuid[], ${list.map((s) => s.userId)}::uuid[],
                      ${list.map((s) => s.taskId)}::uuid[], ${list.map((s) => s.type)}::text[],
                      ${list.map((s) => s.message)}::text[], ${list.map((s) => JSON.stringify(s.proposedChange))}::jsonb[],
                      ${list.map((s) => s.sourceEvent)}::text[], ${list.map((s) => s.correlationId)}::text[])
            AS n(id, user_id, task_id, type, message, proposed_change, source_event, correlation_id)
          JOIN tasks t ON t.id = n.task_id AND t.user_id = n.user_id AND NOT t.completed
          ON CONFLICT (task_id, type) WHERE status = 'pending' DO NOTHING
          RETURNING ${columns}`
        for (const r of rows) yield* count(suggestionsCreated, { type: r.type, source: r.source_event })
        return rows.map(toSuggestion)
      })

      const setStatus = Effect.fn("SuggestionRepo.setStatus")(function* (
        id: string,
        status: "accepted" | "dismissed",
      ) {
        const [row] = yield* sql<SuggestionRow>`
          UPDATE suggestions SET status = ${status}, resolved_at = now() WHERE id = ${id} RETURNING ${columns}`
        return toSuggestion(row!)
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
