import { Schema } from "effect"
import { Instant, Uuid } from "./Common.ts"
import { EstimateMinutes, Priority } from "./Task.ts"

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
]).annotate({ title: "TaskEventType", description: "The kind of change a task event records." })
export type TaskEventType = typeof TaskEventType.Type

/** Who caused the change: the user through the API, the user accepting an agent's suggestion, the chat assistant, or an agent. */
export const Actor = Schema.Literals(["user", "suggestion", "chat", "agent"]).annotate({
  title: "Actor",
  description:
    "Who caused the change: the user, the user accepting a suggestion, the chat assistant, or an agent.",
})
export type Actor = typeof Actor.Type

const envelope = {
  eventId: Uuid.annotateKey({ description: "The event's id; consumers deduplicate on it." }),
  taskId: Uuid.annotateKey({ description: "The task it is about." }),
  userId: Uuid.annotateKey({ description: "The task's owner." }),
  correlationId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)).annotateKey({
    description: "The request or sweep that caused it.",
  }),
  timestamp: Instant.annotateKey({ description: "When it happened." }),
  schemaVersion: Schema.Literal(EVENT_SCHEMA_VERSION).annotateKey({
    description: "The event schema's version.",
  }),
  actor: Actor.annotateKey({ description: "Who caused it." }),
}

/** One changed field of an update: its value before and after. */
export const FieldChange = Schema.Struct({
  from: Schema.Unknown.annotateKey({ description: "The value before." }),
  to: Schema.Unknown.annotateKey({ description: "The value after." }),
}).annotate({ description: "A changed field's value before and after." })

export const TaskCreated = Schema.Struct({
  eventType: Schema.tag("tasks.created").annotateKey({ description: "`tasks.created`." }),
  ...envelope,
  title: Schema.String.annotateKey({ description: "The new task's title." }),
  priority: Priority.annotateKey({ description: "Its priority." }),
  dueDate: Schema.NullOr(Instant).annotateKey({ description: "Its due date; null for none." }),
  recurring: Schema.Boolean.annotateKey({ description: "Whether it repeats." }),
  // Optional: events written before the field existed are still in flight (schema version 1 stays valid).
  estimateMinutes: Schema.optionalKey(Schema.NullOr(EstimateMinutes)).annotateKey({
    description: "Its estimate in minutes; null or absent for none.",
  }),
}).annotate({ title: "TaskCreated", description: "A task was created." })

export const TaskUpdated = Schema.Struct({
  eventType: Schema.tag("tasks.updated").annotateKey({ description: "`tasks.updated`." }),
  ...envelope,
  changes: Schema.Record(Schema.String, FieldChange).annotateKey({
    description: "The changed fields by name, each with its value before and after.",
  }),
}).annotate({ title: "TaskUpdated", description: "Fields of a task changed." })

export const TaskDeleted = Schema.Struct({
  eventType: Schema.tag("tasks.deleted").annotateKey({ description: "`tasks.deleted`." }),
  ...envelope,
}).annotate({ title: "TaskDeleted", description: "A task was deleted." })

export const TaskCompleted = Schema.Struct({
  eventType: Schema.tag("tasks.completed").annotateKey({ description: "`tasks.completed`." }),
  ...envelope,
  completedAt: Instant.annotateKey({ description: "When it was completed." }),
  nextTaskId: Schema.NullOr(Uuid).annotateKey({
    description: "The next occurrence created by completing a recurring task; null for none.",
  }),
}).annotate({ title: "TaskCompleted", description: "A task was completed." })

export const TaskIncomplete = Schema.Struct({
  eventType: Schema.tag("tasks.incomplete").annotateKey({ description: "`tasks.incomplete`." }),
  ...envelope,
}).annotate({ title: "TaskIncomplete", description: "A completed task was reopened." })

export const TaskOverdue = Schema.Struct({
  eventType: Schema.tag("tasks.overdue").annotateKey({ description: "`tasks.overdue`." }),
  ...envelope,
  dueDate: Instant.annotateKey({ description: "The due date that passed." }),
}).annotate({ title: "TaskOverdue", description: "An open task's due date passed." })

export const TaskReminder = Schema.Struct({
  eventType: Schema.tag("tasks.reminder").annotateKey({ description: "`tasks.reminder`." }),
  ...envelope,
  remindAt: Instant.annotateKey({ description: "The reminder's time." }),
}).annotate({ title: "TaskReminder", description: "A task's reminder came due." })

/** The seven task events, one union discriminated on `eventType`. */
export const TaskEvent = Schema.Union([
  TaskCreated,
  TaskUpdated,
  TaskDeleted,
  TaskCompleted,
  TaskIncomplete,
  TaskOverdue,
  TaskReminder,
]).annotate({
  title: "TaskEvent",
  description: "A change to a task, one of seven kinds told apart by `eventType`.",
})
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
