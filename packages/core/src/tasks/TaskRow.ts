import { Task } from "@todo/contracts"
import { DateAsIsoString, SqlTable } from "@todo/runtime"
import { Schema } from "effect"
import * as Model from "effect/schema/Model"

// The fields the user sets and the API answers as they are stored (title, description, priority, recurrence,
// repeatFrom, tags, estimateMinutes, …): taken from the contract, so a new plain field needs no line here. The
// others are named because the database treats them differently.
const { id, dueDate, remindAt, completed, completedAt, createdAt, updatedAt, version, ...userFields } =
  Task.fields

// Null first: most rows hold null here, and a union tries its members in order; NullOr (the timestamp first) paid
// for a failed Date decode on every null, 4 µs a field, half of a page's decoding (`BENCH=rows npm run bench`).
const Instant = Schema.Union([Schema.Null, DateAsIsoString])

/**
 * A row of `tasks`, declared once: the column lists, row decoding, and the insert and update shapes of TaskRepo
 * derive from it. Selected, it is the contract's `Task`; the owner and `prioritySetAt` are written, never answered.
 */
export class TaskRow extends Model.Class<TaskRow>("TaskRow")({
  ...userFields,
  id,
  userId: Model.FieldOnly(["insert"])(Schema.String),
  dueDate: Instant,
  remindAt: Instant,
  completed: Model.FieldOnly(["select", "update", "json"])(completed),
  completedAt: Model.FieldOnly(["select", "update", "json"])(Instant),
  createdAt: Model.GeneratedByDb(DateAsIsoString),
  updatedAt: Model.GeneratedByDb(DateAsIsoString),
  version: Model.GeneratedByDb(version),
  /** When the user last set the priority explicitly; the prioritization agent respects it for a day. */
  prioritySetAt: Model.FieldOnly(["insert", "update"])(Instant),
}) {}

export const Tasks = SqlTable("tasks", TaskRow)

/** The stored fields of a new task that callers set (everything but ids, timestamps, completion and version). */
export type TaskFields = Omit<typeof TaskRow.insert.Type, "id" | "userId">

/** What a PATCH, a completion or a reopening may change. */
export type TaskChanges = Partial<Omit<typeof TaskRow.update.Type, "id">>

/** What a new task holds where the request says nothing: typed, so a new stored field must be given a default. */
export const TASK_DEFAULTS: Omit<TaskFields, "title"> = {
  description: null,
  priority: "medium",
  dueDate: null,
  remindAt: null,
  recurrence: null,
  repeatFrom: "dueDate",
  tags: [],
  estimateMinutes: null,
  prioritySetAt: null,
}

/** The API's task of a decoded row (a plain object, as the contract's schema expects). */
export const toTask = (row: TaskRow): Task => ({ ...row })
