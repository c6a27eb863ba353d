import { randomUUID } from "node:crypto"
import type { Notification } from "@todo/contracts"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { type HttpMeaning, meaning } from "@todo/runtime/http/Problem"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { decodeCursor, MicrosInstant, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"
import { isoMicros } from "@todo/runtime/sql/Keyset"

export class NotificationNotFound extends Schema.TaggedError<NotificationNotFound>()("NotificationNotFound", {
  notificationId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "notification-not-found", "No such notification.")
  }
}

interface NotificationRow {
  readonly id: string
  readonly task_id: string | null
  readonly kind: "reminder"
  readonly title: string
  readonly message: string
  readonly created_at: Date
  readonly read_at: Date | null
}

const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  taskId: r.task_id,
  kind: r.kind,
  title: r.title,
  message: r.message,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at?.toISOString() ?? null,
})

const COLUMNS = "id, task_id, kind, title, message, created_at, read_at"

/** The user's notifications (reminders that fired): newest first, markable as read. */
export class Notifications extends Context.Service<
  Notifications,
  {
    readonly create: (n: {
      readonly userId: string
      readonly taskId: string
      readonly title: string
      readonly message: string
    }) => Effect.Effect<Notification, SqlError>
    readonly list: (
      userId: string,
      query: { readonly unread?: "true" | "false"; readonly limit?: number; readonly cursor?: string },
    ) => Effect.Effect<
      { items: ReadonlyArray<Notification>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly markRead: (
      userId: string,
      id: string,
    ) => Effect.Effect<Notification, SqlError | NotificationNotFound>
  }
>()("@todo/core/Notifications") {
  static readonly layer = Layer.effect(
    Notifications,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const columns = sql.literal(COLUMNS)

      const create = Effect.fn("Notifications.create")(function* (n: {
        readonly userId: string
        readonly taskId: string
        readonly title: string
        readonly message: string
      }) {
        const [row] = yield* sql<NotificationRow>`
          INSERT INTO notifications (id, user_id, task_id, title, message)
          VALUES (${randomUUID()}, ${n.userId}, ${n.taskId}, ${n.title}, ${n.message})
          RETURNING ${columns}`
        return toNotification(row!)
      })

      const list = Effect.fn("Notifications.list")(function* (
        userId: string,
        query: { readonly unread?: "true" | "false"; readonly limit?: number; readonly cursor?: string },
      ) {
        const limit = query.limit ?? 50
        const signature = `notifications:${query.unread ?? ""}`
        const filters = [sql`user_id = ${userId}`]
        if (query.unread === "true") filters.push(sql`read_at IS NULL`)
        if (query.unread === "false") filters.push(sql`read_at IS NOT NULL`)
        if (query.cursor !== undefined) {
          const c = yield* decodeCursor(query.cursor, { signature, value: MicrosInstant, id: UuidId })
          filters.push(sql`(created_at, id) < (${c.v}, ${c.id})`)
        }
        const rows = yield* sql<NotificationRow & { cursor_at: string }>`
          SELECT ${columns}, ${sql.literal(isoMicros("created_at"))} AS cursor_at FROM notifications
          WHERE ${sql.and(filters)} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`
        return yield* pageOf(rows, limit, signature, (r) => r.cursor_at, toNotification)
      })

      const markRead = Effect.fn("Notifications.markRead")(function* (userId: string, id: string) {
        const rows = yield* sql<NotificationRow>`
          UPDATE notifications SET read_at = coalesce(read_at, now())
          WHERE id = ${id} AND user_id = ${userId} RETURNING ${columns}`
        return yield* Option.match(Option.fromNullishOr(rows[0]), {
          onNone: () => Effect.fail(new NotificationNotFound({ notificationId: id })),
          onSome: (r) => Effect.succeed(toNotification(r)),
        })
      })

      return Notifications.of({ create, list, markRead })
    }),
  )
}
