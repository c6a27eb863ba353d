import { Schema } from "effect"

/** One field-level validation failure: where (JSON path, e.g. `body.title` or `query.limit`) and what. */
export const FieldError = Schema.Struct({
  path: Schema.String,
  message: Schema.String,
})

/**
 * RFC 9457 problem details: the one error shape every route answers with (`application/problem+json`).
 * `errors` lists field paths for validation failures.
 */
export const Problem = Schema.Struct({
  type: Schema.String,
  title: Schema.String,
  status: Schema.Int,
  detail: Schema.optionalKey(Schema.String),
  instance: Schema.optionalKey(Schema.String),
  errors: Schema.optionalKey(Schema.Array(FieldError)),
}).annotate({ title: "Problem", description: "RFC 9457 problem details" })
export type Problem = typeof Problem.Type
