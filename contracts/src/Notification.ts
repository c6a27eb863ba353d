import { Schema } from "effect"
import { Cursor, Limit, Page, Timestamp, Uuid } from "./Common.ts"

export const Notification = Schema.Struct({
  id: Uuid.annotateKey({ description: "The notification's id." }),
  taskId: Schema.NullOr(Uuid).annotateKey({
    description: "The task it is about; null once the task is deleted.",
  }),
  kind: Schema.Literal("reminder").annotateKey({ description: "What it is: a task's reminder." }),
  title: Schema.String.annotateKey({ description: "A short title, e.g. the task's." }),
  message: Schema.String.annotateKey({ description: "What to tell the user." }),
  createdAt: Timestamp.annotateKey({ description: "When it was delivered." }),
  readAt: Schema.NullOr(Timestamp).annotateKey({ description: "When the user read it; null while unread." }),
}).annotate({ title: "Notification", description: "A reminder delivered to the user." })
export type Notification = typeof Notification.Type

export const ListNotificationsQuery = Schema.Struct({
  unread: Schema.optionalKey(Schema.Literals(["true", "false"])).annotateKey({
    description: "Only unread (`true`) or only read (`false`) notifications; all when absent.",
  }),
  limit: Schema.optionalKey(Limit).annotateKey({ description: "Page size: 1–100, 50 when absent." }),
  cursor: Schema.optionalKey(Cursor).annotateKey({ description: "The previous page's `nextCursor`." }),
})

export const NotificationPage = Page(Notification).annotate({
  title: "NotificationPage",
  description: "A page of notifications, the newest first.",
})
