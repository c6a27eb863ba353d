import { Schema, SchemaGetter } from "effect"
import {
  Cursor,
  Instant,
  Limit,
  Page,
  Repeated,
  Text,
  TextUpTo,
  Timestamp,
  TrimmedText,
  Uuid,
} from "./Common.ts"

export const Priority = Schema.Literals(["low", "medium", "high", "urgent"]).annotate({
  title: "Priority",
  description: "How much the task matters, from low to urgent.",
})
export type Priority = typeof Priority.Type

/** Whether a recurring task's next occurrence counts from its due date or from when it was completed. */
export const RepeatFrom = Schema.Literals(["dueDate", "completion"]).annotate({
  title: "RepeatFrom",
  description:
    "Where a recurring task's next occurrence counts from: its due date (`dueDate`), or when it was completed " +
    "(`completion`).",
})
export type RepeatFrom = typeof RepeatFrom.Type

export const Title = TrimmedText(200, {
  description: "The task's title: 1–200 characters, trimmed.",
  examples: ["File taxes"],
})
export const Description = TextUpTo(10_000).annotate({ description: "Free text, at most 10,000 characters." })

/** The characters of a tag: anything but whitespace, `#` and `,`. */
const TAG_CHARS = "[^\\s#,]"

/**
 * A tag: 1–50 characters without whitespace, `#` or `,`, answered lower-cased. Spaces around it are trimmed on the
 * way in (the pattern allows them, and the length counts them).
 */
export const Tag = TextUpTo(50)
  .check(
    Schema.isPattern(new RegExp(`^\\s*${TAG_CHARS}+\\s*$`, "u"), {
      message: "Expected a tag without spaces, commas or #",
    }),
  )
  .annotate({
    description: "A tag, e.g. `home`: no spaces, commas or `#`; lower-cased and trimmed on the way in.",
    examples: ["home"],
  })
  .pipe(
    Schema.decodeTo(Text.check(Schema.isPattern(new RegExp(`^${TAG_CHARS}+$`, "u"))), {
      decode: SchemaGetter.transform((s: string) => s.trim().toLowerCase()),
      encode: SchemaGetter.passthrough(),
    }),
  )
  .annotate({ title: "Tag" })

/** At most 20 tags; duplicates (after lower-casing) are folded into one. */
export const Tags = Schema.Array(Tag)
  .check(Schema.isMaxLength(20))
  .annotate({ description: "At most 20 tags; repeats are kept once." })
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
export const Recurrence = TextUpTo(500)
  .check(
    Schema.isPattern(
      /^(RRULE:)?FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[^;\s]+)*$/i,
      {
        message: "Expected an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO,TH",
      },
    ),
  )
  .annotate({
    title: "Recurrence",
    description:
      "An RFC 5545 recurrence rule (RRULE), optionally prefixed `RRULE:`, at most 500 characters: `FREQ` first " +
      "(SECONDLY to YEARLY), then `;`-separated parts such as `INTERVAL`, `BYDAY`, `BYMONTHDAY`, `BYSETPOS`, " +
      "`COUNT` or `UNTIL`; names in any case. It must yield an occurrence. Occurrences fall at the due date's wall " +
      "time in the user's time zone.",
    examples: [
      "FREQ=WEEKLY;BYDAY=MO,TH",
      "FREQ=MONTHLY;BYMONTHDAY=1",
      "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=10",
    ],
  })

/** How long the user expects a task to take, in whole minutes: 1 to 1440 (a day). */
export const EstimateMinutes = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1440 })).annotate({
  title: "EstimateMinutes",
  description: "How long the task is expected to take, in whole minutes: 1–1440 (at most a day).",
  examples: [30, 90],
})

/** The task of the document's examples (and a starting point for tests that need a whole one). */
export const EXAMPLE_TASK = {
  id: "0b8e2b1e-5f3c-4c59-9f0e-3d2a8f6c1a47",
  title: "Pay rent",
  description: null,
  priority: "high",
  dueDate: "2026-12-01T09:00:00.000Z",
  remindAt: "2026-11-30T18:00:00.000Z",
  recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
  repeatFrom: "dueDate",
  tags: ["home"],
  estimateMinutes: 30,
  completed: false,
  completedAt: null,
  createdAt: "2026-11-20T08:15:30.000Z",
  updatedAt: "2026-11-20T08:15:30.000Z",
  version: 1,
} as const

export const Task = Schema.Struct({
  id: Uuid.annotateKey({ description: "The task's id." }),
  title: Schema.String.annotateKey({ description: "The title." }),
  description: Schema.NullOr(Schema.String).annotateKey({
    description: "Free text; null when there is none.",
  }),
  priority: Priority.annotateKey({ description: "The priority." }),
  dueDate: Schema.NullOr(Timestamp).annotateKey({
    description: "When the task is due; null when it is not.",
  }),
  remindAt: Schema.NullOr(Timestamp).annotateKey({
    description: "When to remind the user; null for no reminder.",
  }),
  recurrence: Schema.NullOr(Schema.String).annotateKey({
    description: "The RFC 5545 RRULE the task repeats by (see Recurrence); null when it does not repeat.",
  }),
  repeatFrom: RepeatFrom.annotateKey({ description: "Where the next occurrence counts from." }),
  tags: Schema.Array(Schema.String).annotateKey({ description: "The task's tags, lower-case, each once." }),
  estimateMinutes: Schema.NullOr(EstimateMinutes).annotateKey({
    description: "How long it is expected to take, in minutes (1–1440); null when not estimated.",
  }),
  completed: Schema.Boolean.annotateKey({ description: "Whether the task is done." }),
  completedAt: Schema.NullOr(Timestamp).annotateKey({
    description: "When it was completed; null while open.",
  }),
  createdAt: Timestamp.annotateKey({ description: "When it was created." }),
  updatedAt: Timestamp.annotateKey({ description: "When it last changed." }),
  version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).annotateKey({
    description: "Grows by one with every change; send it as `If-Match` to update only this version.",
  }),
}).annotate({
  title: "Task",
  description: "A task of the signed-in user.",
  examples: [EXAMPLE_TASK],
})
export type Task = typeof Task.Type

export const CreateTask = Schema.Struct({
  title: Title.annotateKey({ description: "The title: 1–200 characters, trimmed." }),
  description: Schema.optionalKey(Schema.NullOr(Description)).annotateKey({
    description: "Free text, at most 10,000 characters; null for none.",
  }),
  priority: Schema.optionalKey(Priority).annotateKey({ description: "The priority; medium when absent." }),
  dueDate: Schema.optionalKey(Schema.NullOr(Instant)).annotateKey({
    description: "When the task is due; null for no due date. Required for a recurrence.",
  }),
  remindAt: Schema.optionalKey(Schema.NullOr(Instant)).annotateKey({
    description: "When to remind the user; null for no reminder.",
  }),
  recurrence: Schema.optionalKey(Schema.NullOr(Recurrence)).annotateKey({
    description: "How the task repeats, an RFC 5545 RRULE; null for a task that does not repeat.",
  }),
  repeatFrom: Schema.optionalKey(RepeatFrom).annotateKey({
    description: "Where the next occurrence counts from; `dueDate` when absent.",
  }),
  tags: Schema.optionalKey(Tags).annotateKey({ description: "At most 20 tags; repeats are kept once." }),
  estimateMinutes: Schema.optionalKey(Schema.NullOr(EstimateMinutes)).annotateKey({
    description: "How long it is expected to take, in whole minutes (1–1440); null for no estimate.",
  }),
}).annotate({
  title: "CreateTask",
  description: "A new task: a title, and whatever else is known.",
  examples: [
    {
      title: "Pay rent",
      priority: "high",
      dueDate: "2026-12-01T09:00:00Z",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      tags: ["home"],
      estimateMinutes: 30,
    },
  ],
})
export type CreateTask = typeof CreateTask.Type

/** PATCH body: the create fields, every one optional (title too); `null` clears a nullable field. */
export const UpdateTask = Schema.Struct({
  ...CreateTask.fields,
  title: Schema.optionalKey(Title).annotateKey({ description: "The title: 1–200 characters, trimmed." }),
}).annotate({
  title: "UpdateTask",
  description:
    "The fields to change, each optional; `null` clears a nullable one. Fields left out keep their value.",
  examples: [{ priority: "urgent", dueDate: null }],
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
  q: Schema.optionalKey(TextUpTo(200).check(Schema.isMinLength(1))).annotateKey({
    description: "Words to search for in titles and descriptions (1–200 characters).",
  }),
  status: Schema.optionalKey(TaskStatus).annotateKey({
    description: "Open, completed or all tasks; open when absent.",
  }),
  priority: Schema.optionalKey(Repeated(Priority)).annotateKey({
    description: "Only tasks of these priorities (repeat the parameter for several).",
  }),
  tag: Schema.optionalKey(Repeated(Tag)).annotateKey({
    description: "Only tasks carrying every one of these tags (repeat the parameter for several).",
  }),
  dueBefore: Schema.optionalKey(Instant).annotateKey({ description: "Only tasks due before this instant." }),
  dueAfter: Schema.optionalKey(Instant).annotateKey({
    description: "Only tasks due at or after this instant.",
  }),
  remindAfter: Schema.optionalKey(Instant).annotateKey({
    description:
      "Only tasks with a reminder at or after this instant (with `status=open` and now: the reminders still to come).",
  }),
  overdue: Schema.optionalKey(BooleanString).annotateKey({
    description: "Only open tasks whose due date has passed (`true`), or only the others (`false`).",
  }),
  sort: Schema.optionalKey(TaskSort).annotateKey({ description: "What to sort by; dueDate when absent." }),
  order: Schema.optionalKey(SortOrder).annotateKey({
    description: "Ascending or descending; asc when absent.",
  }),
  limit: Schema.optionalKey(Limit).annotateKey({ description: "Page size: 1–100, 50 when absent." }),
  cursor: Schema.optionalKey(Cursor).annotateKey({ description: "The previous page's `nextCursor`." }),
})
export type ListTasksQuery = typeof ListTasksQuery.Type

export const TaskPage = Page(Task).annotate({ title: "TaskPage", description: "A page of tasks." })

export const TaskIdParams = Schema.Struct({ id: Uuid.annotateKey({ description: "The task's id." }) })

/** Answer of completing a task: the task, and the next occurrence when a recurring task rolled over. */
export const CompleteResult = Schema.Struct({
  task: Task.annotateKey({ description: "The completed task." }),
  next: Schema.NullOr(Task).annotateKey({
    description: "The next occurrence, created when a recurring task rolled over; null otherwise.",
  }),
}).annotate({
  title: "CompleteResult",
  description: "A completed task, and its next occurrence if it repeats.",
})

export const TagCount = Schema.Struct({
  tag: Schema.String.annotateKey({ description: "The tag." }),
  count: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).annotateKey({
    description: "How many of the user's tasks carry it.",
  }),
}).annotate({ title: "TagCount", description: "A tag and how many tasks carry it." })
export const TagList = Schema.Struct({
  items: Schema.Array(TagCount).annotateKey({ description: "Every tag of the user's tasks." }),
}).annotate({ title: "TagList", description: "The user's tags." })

export const QuickAddRequest = Schema.Struct({
  text: TrimmedText(500).annotateKey({
    description: "One line as a person would write it: 1–500 characters, trimmed.",
  }),
}).annotate({
  title: "QuickAddRequest",
  description:
    "A line of natural language: the title, with dates and times (`tomorrow 9am`, `fri @ 7pm`), repetition " +
    "(`every other monday`), `#tags`, `!priority` and an estimate (`~30m`, `~1h30m`) in it.",
  examples: [{ text: "Pay rent every month on the 1st #home !high" }],
})

/** What quick add understood in a line of text, and which parts of the text it took each value from. */
export const QuickAddParse = Schema.Struct({
  title: Schema.String.annotateKey({ description: "The title: the text without what was recognized." }),
  dueDate: Schema.NullOr(Timestamp).annotateKey({ description: "The due date understood; null for none." }),
  recurrence: Schema.NullOr(Schema.String).annotateKey({
    description: "The RFC 5545 RRULE understood; null for none.",
  }),
  repeatFrom: RepeatFrom.annotateKey({ description: "Where the next occurrence would count from." }),
  priority: Schema.NullOr(Priority).annotateKey({ description: "The priority understood; null for none." }),
  tags: Schema.Array(Schema.String).annotateKey({ description: "The tags understood." }),
  estimateMinutes: Schema.NullOr(EstimateMinutes).annotateKey({
    description: "The estimate understood (`~30m`, `~2h`, `~1h30m`), in minutes; null for none.",
  }),
  recognized: Schema.Array(
    Schema.Struct({
      kind: Schema.Literals(["date", "recurrence", "tag", "priority", "estimate"]).annotateKey({
        description: "What the fragment was read as.",
      }),
      text: Schema.String.annotateKey({ description: "The fragment of the text, as written." }),
    }).annotate({ description: "One recognized fragment of the text." }),
  ).annotateKey({ description: "The fragments of the text each value came from, in the text's order." }),
}).annotate({ title: "QuickAddParse", description: "What quick add understood in a line of text." })
export type QuickAddParse = typeof QuickAddParse.Type

export const QuickAddResult = Schema.Struct({
  task: Task.annotateKey({ description: "The task created." }),
  parsed: QuickAddParse.annotateKey({ description: "What the line was understood as." }),
}).annotate({ title: "QuickAddResult", description: "The task quick add created, and how it read the line." })
