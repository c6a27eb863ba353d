import { Schema } from "effect"
import { Cursor, Limit, Page, Uuid } from "./Common.ts"

export const Notification = Schema.Struct({
  id: Uuid,
  taskId: Schema.NullOr(Uuid),
  kind: Schema.Literals(["reminder"]),
  title: Schema.String,
  message: Schema.String,
  createdAt: Schema.String,
  readAt: Schema.NullOr(Schema.String),
}).annotate({ title: "Notification" })
export type Notification = typeof Notification.Type

export const ListNotificationsQuery = Schema.Struct({
  unread: Schema.optionalKey(Schema.Literals(["true", "false"])),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor),
}).annotate({ title: "ListNotificationsQuery" })

export const NotificationPage = Page(Notification).annotate({ title: "NotificationPage" })
