import { Schema } from "effect"

/** The task does not exist for this user (another user's task is indistinguishable from a missing one). */
export class TaskNotFound extends Schema.TaggedError<TaskNotFound>()("TaskNotFound", {
  taskId: Schema.String,
}) {}

/** `If-Match` named a version that is no longer current. */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  taskId: Schema.String,
  expected: Schema.Int,
  actual: Schema.Int,
}) {}

/** A field value the schema accepts but the domain does not (e.g. an RRULE that never yields a date). */
export class InvalidTaskField extends Schema.TaggedError<InvalidTaskField>()("InvalidTaskField", {
  field: Schema.String,
  message: Schema.String,
}) {}

export class SuggestionNotFound extends Schema.TaggedError<SuggestionNotFound>()("SuggestionNotFound", {
  suggestionId: Schema.String,
}) {}

/** Accept/dismiss on a suggestion that is no longer pending. */
export class SuggestionNotPending extends Schema.TaggedError<SuggestionNotPending>()("SuggestionNotPending", {
  suggestionId: Schema.String,
  status: Schema.String,
}) {}

/** A malformed or foreign pagination cursor. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  message: Schema.String,
}) {}

/** A request field the contract accepts but the domain refuses (a common password, a zone PostgreSQL lacks). */
export class InvalidField extends Schema.TaggedError<InvalidField>()("InvalidField", {
  /** Where in the request, as a problem's field path (`body.password`). */
  field: Schema.String,
  message: Schema.String,
}) {}
