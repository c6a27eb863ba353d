import { decodeTaskEventSync, type TaskEvent } from "@todo/contracts"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { decodeCursor, pageOf, SerialId } from "../Cursor.ts"
import { type InvalidCursor, TaskNotFound } from "../Errors.ts"

export interface ActivityPage {
  readonly items: ReadonlyArray<TaskEvent>
  readonly nextCursor: string | null
}

/**
 * The history of a user's tasks, read from the event log: the outbox keeps every event it published for the
 * retention period. Newest first. Each entry is the event itself: what changed (`changes` from → to), when
 * (`timestamp`) and by whom (`actor`: the user, an accepted suggestion, the chat, an agent).
 */
export class Activity extends Context.Service<
  Activity,
  {
    readonly forUser: (
      userId: string,
      page: { readonly limit?: number; readonly cursor?: string },
    ) => Effect.Effect<ActivityPage, SqlError | InvalidCursor>
    readonly forTask: (
      userId: string,
      taskId: string,
      page: { readonly limit?: number; readonly cursor?: string },
    ) => Effect.Effect<ActivityPage, SqlError | InvalidCursor | TaskNotFound>
  }
>()("@todo/core/Activity") {
  static readonly layer = Layer.effect(
    Activity,
    Effect.gen(function* () {
      const sql = yield* SqlClient

      const read = (
        userId: string,
        taskId: string | undefined,
        page: { readonly limit?: number; readonly cursor?: string },
      ) =>
        Effect.gen(function* () {
          const limit = page.limit ?? 50
          const signature = `activity:${taskId ?? "*"}`
          let before = sql``
          if (page.cursor !== undefined) {
            const c = yield* decodeCursor(page.cursor, { signature, value: Schema.Null, id: SerialId })
            before = sql`AND id < ${c.id}`
          }
          const rows = yield* sql<{ id: string; payload: unknown }>`
            SELECT id::text AS id, payload FROM outbox
            WHERE user_id = ${userId} ${taskId !== undefined ? sql`AND task_id = ${taskId}` : sql``} ${before}
            ORDER BY id DESC LIMIT ${limit + 1}`
          return yield* pageOf(
            rows,
            limit,
            signature,
            () => null,
            (r) => decodeTaskEventSync(typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload),
          )
        })

      const forUser = Effect.fn("Activity.forUser")(function* (
        userId: string,
        page: { readonly limit?: number; readonly cursor?: string },
      ) {
        return yield* read(userId, undefined, page)
      })

      const forTask = Effect.fn("Activity.forTask")(function* (
        userId: string,
        taskId: string,
        page: { readonly limit?: number; readonly cursor?: string },
      ) {
        const result = yield* read(userId, taskId, page)
        if (result.items.length === 0 && page.cursor === undefined) {
          // No history at all: the task is not this user's (or never existed). A deleted task keeps its history.
          return yield* new TaskNotFound({ taskId })
        }
        return result
      })

      return Activity.of({ forUser, forTask })
    }),
  )
}
