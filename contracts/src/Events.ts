import { Schema } from "effect"
import { Instant, Uuid } from "./Common.ts"
import { Priority } from "./Task.ts"

/** The topic every task event travels on (partition key: userId), and its dead-letter topic. */
export const TASKS_TOPIC = "tasks-lifecycle"
export const TASKS_DLQ_TOPIC = "tasks-lifecycle-dlq"

export const EVENT_SCHEMA_VERSION = 1

export const TaskEventType = Schema.Literals([
  "tasks.created",
  "tasks.updated",
  "tasks.deleted",
  "tasks.completed",
  "tasks.incomplete",
  "tasks.overdue",
  "tasks.reminder",
]).annotate({ title: "TaskEventType" })
export type TaskEventType = typeof TaskEventType.Type

/** Who caused the change: the user through the API, the user accepting an agent's suggestion, the chat assistant, or an agent. */
export const Actor = Schema.Literals(["user", "suggestion", "chat", "agent"]).annotate({ title: "Actor" })
export type Actor = typeof Actor.Type

const envelope = {
  eventId: Uuid,
  taskId: Uuid,
  userId: Uuid,
  correlationId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  timestamp: Instant,
  schemaVersion: Schema.Literal(EVENT_SCHEMA_VERSION),
  actor: Actor,
}

/** One changed field of an update: its value before and after. */
export const FieldChange = Schema.Struct({ from: Schema.Unknown, to: Schema.Unknown })

export const TaskCreated = Schema.Struct({
  eventType: Schema.tag("tasks.created"),
  ...envelope,
  title: Schema.String,
  priority: Priority,
  dueDate: Schema.NullOr(Instant),
  recurring: Schema.Boolean,
}).annotate({ title: "TaskCreated" })

export const TaskUpdated = Schema.Struct({
  eventType: Schema.tag("tasks.updated"),
  ...envelope,
  changes: Schema.Record(Schema.String, FieldChange),
}).annotate({ title: "TaskUpdated" })

export const TaskDeleted = Schema.Struct({
  eventType: Schema.tag("tasks.deleted"),
  ...envelope,
}).annotate({ title: "TaskDeleted" })

export const TaskCompleted = Schema.Struct({
  eventType: Schema.tag("tasks.completed"),
  ...envelope,
  completedAt: Instant,
  /** The next occurrence created by completing a recurring task, if any. */
  nextTaskId: Schema.NullOr(Uuid),
}).annotate({ title: "TaskCompleted" })

export const TaskIncomplete = Schema.Struct({
  eventType: Schema.tag("tasks.incomplete"),
  ...envelope,
}).annotate({ title: "TaskIncomplete" })

export const TaskOverdue = Schema.Struct({
  eventType: Schema.tag("tasks.overdue"),
  ...envelope,
  dueDate: Instant,
}).annotate({ title: "TaskOverdue" })

export const TaskReminder = Schema.Struct({
  eventType: Schema.tag("tasks.reminder"),
  ...envelope,
  remindAt: Instant,
}).annotate({ title: "TaskReminder" })

/** The seven task events, one union discriminated on `eventType`. */
export const TaskEvent = Schema.Union([
  TaskCreated,
  TaskUpdated,
  TaskDeleted,
  TaskCompleted,
  TaskIncomplete,
  TaskOverdue,
  TaskReminder,
]).annotate({ title: "TaskEvent" })
export type TaskEvent = typeof TaskEvent.Type
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { readonly eventType: T }>

/** Decodes an unknown value (e.g. a CloudEvent's `data`) into a task event; unknown keys are an error. */
export const decodeTaskEvent = Schema.decodeUnknownEffect(TaskEvent, {
  onExcessProperty: "error",
  errors: "all",
})
export const decodeTaskEventSync = Schema.decodeUnknownSync(TaskEvent, {
  onExcessProperty: "error",
  errors: "all",
})
export const encodeTaskEvent = Schema.encodeSync(TaskEvent)
