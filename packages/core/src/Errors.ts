import { type HttpMeaning, meaning } from "@todo/runtime"
import { Schema } from "effect"

// Each domain error says what it means over HTTP (status, problem type, title, detail): the API's edge maps every
// failure through `meaningOf` (packages/runtime/src/http/Problem.ts), and a route whose errors lack a meaning does
// not compile.

/** The task does not exist for this user (another user's task is indistinguishable from a missing one). */
export class TaskNotFound extends Schema.TaggedError<TaskNotFound>()("TaskNotFound", {
  taskId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "task-not-found", `No task with id ${this.taskId}.`)
  }
}

/** `If-Match` named a version that is no longer current. */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  taskId: Schema.String,
  expected: Schema.Int,
  actual: Schema.Int,
}) {
  get httpMeaning(): HttpMeaning<412> {
    return meaning(
      412,
      "version-conflict",
      `The task changed since you read it: it is at version ${this.actual}, not ${this.expected}.`,
    )
  }
}

/** A field value the schema accepts but the domain does not (e.g. an RRULE that never yields a date). */
export class InvalidTaskField extends Schema.TaggedError<InvalidTaskField>()("InvalidTaskField", {
  field: Schema.String,
  message: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<400> {
    return invalidField(this.field, this.message)
  }
}

export class SuggestionNotFound extends Schema.TaggedError<SuggestionNotFound>()("SuggestionNotFound", {
  suggestionId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "suggestion-not-found", `No suggestion with id ${this.suggestionId}.`)
  }
}

/** Accept/dismiss on a suggestion that is no longer pending. */
export class SuggestionNotPending extends Schema.TaggedError<SuggestionNotPending>()("SuggestionNotPending", {
  suggestionId: Schema.String,
  status: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<409> {
    return meaning(409, "suggestion-not-pending", `The suggestion is already ${this.status}.`)
  }
}

/** A malformed or foreign pagination cursor. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  message: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<400> {
    return invalidField("query.cursor", this.message)
  }
}

/** A request field the contract accepts but the domain refuses (a common password, a zone PostgreSQL lacks). */
export class InvalidField extends Schema.TaggedError<InvalidField>()("InvalidField", {
  /** Where in the request, as a problem's field path (`body.password`). */
  field: Schema.String,
  message: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<400> {
    return invalidField(this.field, this.message)
  }
}

/** A 400 that names the field, like the contract's own validation failures. */
export const invalidField = (field: string, message: string): HttpMeaning<400> =>
  meaning(400, "invalid-field", message, { errors: [{ path: field, message }] })
