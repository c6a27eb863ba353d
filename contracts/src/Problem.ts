import { Schema } from "effect"

/** One field-level validation failure: where (JSON path, e.g. `body.title` or `query.limit`) and what. */
export const FieldError = Schema.Struct({
  path: Schema.String.annotateKey({
    description: "Where in the request: the part, then the field's path, e.g. `body.title` or `query.limit`.",
  }),
  message: Schema.String.annotateKey({ description: "What is wrong with it." }),
}).annotate({ title: "FieldError", description: "One field of the request that is not valid." })

/**
 * RFC 9457 problem details: the one error shape every route answers with (`application/problem+json`).
 * `errors` lists field paths for validation failures.
 */
export const Problem = Schema.Struct({
  type: Schema.String.annotateKey({
    description:
      "A URI naming the kind of problem, e.g. `https://todo.app/problems/task-not-found`; clients may switch on it.",
  }),
  title: Schema.String.annotateKey({ description: "A short summary of the kind of problem." }),
  status: Schema.Int.check(Schema.isBetween({ minimum: 400, maximum: 599 })).annotateKey({
    description: "The HTTP status code.",
  }),
  detail: Schema.optionalKey(Schema.String).annotateKey({
    description: "What went wrong this time, for people.",
  }),
  instance: Schema.optionalKey(Schema.String).annotateKey({ description: "A URI naming this occurrence." }),
  errors: Schema.optionalKey(Schema.Array(FieldError)).annotateKey({
    description: "For a request that is not valid: each field in error.",
  }),
}).annotate({
  title: "Problem",
  description: "RFC 9457 problem details: what every error answer carries.",
  examples: [
    {
      type: "https://todo.app/problems/400",
      title: "Bad Request",
      status: 400,
      detail: "The request is not valid: see errors.",
      errors: [{ path: "body.title", message: "Expected text that is not blank" }],
    },
  ],
})
export type Problem = typeof Problem.Type
