import { randomUUID } from "node:crypto"
import { Notification } from "@todo/contracts"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { DateAsIsoString, type HttpMeaning, isoMicros, meaning, SqlTable } from "@todo/runtime"
import * as Model from "effect/schema/Model"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { decodeCursor, MicrosInstant, pageOf, UuidId } from "../Cursor.ts"
import type { InvalidCursor } from "../Errors.ts"

export class NotificationNotFound extends Schema.TaggedError<NotificationNotFound>()("NotificationNotFound", {
  notificationId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "notification-not-found", "No such notification.")
  }
}

// The contract's fields, as stored; the database sets the kind (reminder, the only one) and the times.
const { kind, createdAt, readAt, ...given } = Notification.fields

/** A row of `notifications`, declared once: selected, it is the contract's `Notification`. */
export class NotificationRow extends Model.Class<NotificationRow>("NotificationRow")({
  ...given,
  userId: Model.FieldOnly(["insert"])(Schema.String),
  kind: Model.GeneratedByDb(kind),
  createdAt: Model.GeneratedByDb(DateAsIsoString),
  readAt: Model.GeneratedByDb(Schema.Union([Schema.Null, DateAsIsoString])), // null first: see TaskRow's Instant
}) {}

const NotificationTable = SqlTable("notifications", NotificationRow)

const toNotification = (row: NotificationRow): Notification => ({ ...row })

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
      const columns = sql.literal(NotificationTable.columns)

      const create = Effect.fn("Notifications.create")(function* (n: {
        readonly userId: string
        readonly taskId: string
        readonly title: string
        readonly message: string
      }) {
        const rows = yield* NotificationTable.insert(sql, [{ ...n, id: randomUUID() }], {
          tail: sql`RETURNING ${columns}`,
        })
        return toNotification(yield* NotificationTable.decodeSingle(rows))
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
        const rows = yield* sql<{ readonly id: string; readonly cursor_at: string }>`
          SELECT ${columns}, ${sql.literal(isoMicros("created_at"))} AS cursor_at FROM notifications
          WHERE ${sql.and(filters)} ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`
        const page = yield* pageOf(
          rows,
          limit,
          signature,
          (r) => r.cursor_at,
          (r) => r,
        )
        const items = yield* NotificationTable.decodeAll(page.items)
        return { items: items.map(toNotification), nextCursor: page.nextCursor }
      })

      const markRead = Effect.fn("Notifications.markRead")(function* (userId: string, id: string) {
        const rows = yield* sql`
          UPDATE notifications SET read_at = coalesce(read_at, now())
          WHERE id = ${id} AND user_id = ${userId} RETURNING ${columns}`
        return yield* Option.match(yield* NotificationTable.decodeFirst(rows), {
          onNone: () => Effect.fail(new NotificationNotFound({ notificationId: id })),
          onSome: (r) => Effect.succeed(toNotification(r)),
        })
      })

      return Notifications.of({ create, list, markRead })
    }),
  )
}
