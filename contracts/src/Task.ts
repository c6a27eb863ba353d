import { Schema, SchemaGetter } from "effect"
import {
  Cursor,
  Instant,
  isWellFormedText,
  Limit,
  Page,
  Repeated,
  Text,
  TrimmedText,
  Uuid,
} from "./Common.ts"

export const Priority = Schema.Literals(["low", "medium", "high", "urgent"]).annotate({ title: "Priority" })
export type Priority = typeof Priority.Type

/** Whether a recurring task's next occurrence counts from its due date or from when it was completed. */
export const RepeatFrom = Schema.Literals(["dueDate", "completion"]).annotate({ title: "RepeatFrom" })
export type RepeatFrom = typeof RepeatFrom.Type

export const Title = TrimmedText.check(Schema.isMinLength(1), Schema.isMaxLength(200))
export const Description = Text.check(Schema.isMaxLength(10_000))

/** A tag: trimmed and lower-cased on the way in, 1–50 characters, no whitespace or `#`. */
export const Tag = Schema.String.pipe(
  Schema.decodeTo(
    Schema.String.check(
      isWellFormedText,
      Schema.isMinLength(1),
      Schema.isMaxLength(50),
      Schema.isPattern(/^[^\s#,]+$/, { message: "Expected a tag without spaces, commas or #" }),
    ),
    {
      decode: SchemaGetter.transform((s: string) => s.trim().toLowerCase()),
      encode: SchemaGetter.passthrough(),
    },
  ),
).annotate({ title: "Tag" })

/** At most 20 tags; duplicates (after lower-casing) are folded into one. */
export const Tags = Schema.Array(Tag)
  .check(Schema.isMaxLength(20))
  .pipe(
    Schema.decodeTo(Schema.Array(Text), {
      decode: SchemaGetter.transform((tags: ReadonlyArray<string>) => [...new Set(tags)]),
      encode: SchemaGetter.passthrough(),
    }),
  )

/**
 * An RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=MO,TH`, optionally prefixed `RRULE:`). The server checks that it
 * parses and yields occurrences; this schema checks its outline so obvious garbage fails at the edge.
 */
export const Recurrence = Text.check(
  Schema.isMaxLength(500),
  Schema.isPattern(
    /^(RRULE:)?FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[^;\s]+)*$/i,
    {
      message: "Expected an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO,TH",
    },
  ),
).annotate({ title: "Recurrence" })

export const Task = Schema.Struct({
  id: Uuid,
  title: Schema.String,
  description: Schema.NullOr(Schema.String),
  priority: Priority,
  dueDate: Schema.NullOr(Schema.String),
  remindAt: Schema.NullOr(Schema.String),
  recurrence: Schema.NullOr(Schema.String),
  repeatFrom: RepeatFrom,
  tags: Schema.Array(Schema.String),
  completed: Schema.Boolean,
  completedAt: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
  updatedAt: Schema.String,
  version: Schema.Int,
}).annotate({ title: "Task" })
export type Task = typeof Task.Type

export const CreateTask = Schema.Struct({
  title: Title,
  description: Schema.optionalKey(Schema.NullOr(Description)),
  priority: Schema.optionalKey(Priority),
  dueDate: Schema.optionalKey(Schema.NullOr(Instant)),
  remindAt: Schema.optionalKey(Schema.NullOr(Instant)),
  recurrence: Schema.optionalKey(Schema.NullOr(Recurrence)),
  repeatFrom: Schema.optionalKey(RepeatFrom),
  tags: Schema.optionalKey(Tags),
}).annotate({ title: "CreateTask" })
export type CreateTask = typeof CreateTask.Type

/** PATCH body: the create fields, every one optional (title too); `null` clears a nullable field. */
export const UpdateTask = Schema.Struct({ ...CreateTask.fields, title: Schema.optionalKey(Title) }).annotate({
  title: "UpdateTask",
})
export type UpdateTask = typeof UpdateTask.Type

export const TaskStatus = Schema.Literals(["open", "completed", "all"])
export const TaskSort = Schema.Literals(["dueDate", "priority", "createdAt", "updatedAt", "title"])
export const SortOrder = Schema.Literals(["asc", "desc"])
const BooleanString = Schema.Literals(["true", "false"]).pipe(
  Schema.decodeTo(Schema.Boolean, {
    decode: SchemaGetter.transform((s: "true" | "false") => s === "true"),
    encode: SchemaGetter.transform((b: boolean) => (b ? "true" : "false")),
  }),
)

export const ListTasksQuery = Schema.Struct({
  q: Schema.optionalKey(Text.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  status: Schema.optionalKey(TaskStatus),
  priority: Schema.optionalKey(Repeated(Priority)),
  tag: Schema.optionalKey(Repeated(Tag)),
  dueBefore: Schema.optionalKey(Instant),
  dueAfter: Schema.optionalKey(Instant),
  /** Only tasks with a reminder at or after this instant (with `status=open` and now: the reminders still to come). */
  remindAfter: Schema.optionalKey(Instant),
  overdue: Schema.optionalKey(BooleanString),
  sort: Schema.optionalKey(TaskSort),
  order: Schema.optionalKey(SortOrder),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor),
}).annotate({ title: "ListTasksQuery" })
export type ListTasksQuery = typeof ListTasksQuery.Type

export const TaskPage = Page(Task).annotate({ title: "TaskPage" })

export const TaskIdParams = Schema.Struct({ id: Uuid })

/** Answer of completing a task: the task, and the next occurrence when a recurring task rolled over. */
export const CompleteResult = Schema.Struct({ task: Task, next: Schema.NullOr(Task) }).annotate({
  title: "CompleteResult",
})

export const TagCount = Schema.Struct({ tag: Schema.String, count: Schema.Int })
export const TagList = Schema.Struct({ items: Schema.Array(TagCount) }).annotate({ title: "TagList" })

export const QuickAddRequest = Schema.Struct({
  text: TrimmedText.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
}).annotate({ title: "QuickAddRequest" })

/** What quick add understood in a line of text, and which parts of the text it took each value from. */
export const QuickAddParse = Schema.Struct({
  title: Schema.String,
  dueDate: Schema.NullOr(Schema.String),
  recurrence: Schema.NullOr(Schema.String),
  repeatFrom: RepeatFrom,
  priority: Schema.NullOr(Priority),
  tags: Schema.Array(Schema.String),
  recognized: Schema.Array(
    Schema.Struct({
      kind: Schema.Literals(["date", "recurrence", "tag", "priority"]),
      text: Schema.String,
    }),
  ),
}).annotate({ title: "QuickAddParse" })
export type QuickAddParse = typeof QuickAddParse.Type

export const QuickAddResult = Schema.Struct({ task: Task, parsed: QuickAddParse }).annotate({
  title: "QuickAddResult",
})
