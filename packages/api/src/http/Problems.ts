import type { ProblemInit } from "@todo/runtime/http/Problem"

/**
 * The one place domain errors become HTTP: every route of the API maps its failures through here. Anything not
 * listed is a 500 whose details stay in the log.
 */
export const toProblem = (error: unknown): ProblemInit => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  const e = error as Record<string, unknown>
  switch (tag) {
    case "TaskNotFound":
      return { status: 404, detail: "No such task." }
    case "SuggestionNotFound":
      return { status: 404, detail: "No such suggestion." }
    case "NotificationNotFound":
      return { status: 404, detail: "No such notification." }
    case "ConversationNotFound":
      return { status: 404, detail: "No such conversation." }
    case "DeadLetterNotFound":
      return { status: 404, detail: "No such dead letter." }
    case "VersionConflict":
      return {
        status: 412,
        detail: `The task changed since you read it: it is at version ${e.actual}, not ${e.expected}.`,
      }
    case "SuggestionNotPending":
      return { status: 409, detail: `The suggestion is already ${e.status}.` }
    case "InvalidField":
    case "InvalidTaskField":
      return {
        status: 400,
        detail: String(e.message),
        errors: [{ path: String(e.field), message: String(e.message) }],
      }
    case "InvalidCursor":
      return {
        status: 400,
        detail: String(e.message),
        errors: [{ path: "query.cursor", message: String(e.message) }],
      }
    case "Unauthorized":
      return {
        status: 401,
        detail: String(e.message),
        headers: { "www-authenticate": 'Bearer realm="todo"' },
      }
    case "InvalidCredentials":
      return { status: 401, detail: "Wrong email or password." }
    case "EmailTaken":
      return {
        status: 409,
        detail: "An account with this email already exists.",
        errors: [{ path: "body.email", message: "already registered" }],
      }
    case "Forbidden":
      return { status: 403, detail: String(e.message) }
    case "RateLimited":
      return {
        status: 429,
        detail: `Too many attempts; try again in ${e.retryAfterSeconds} s.`,
        headers: { "retry-after": String(e.retryAfterSeconds) },
      }
    case "ChatNotConfigured":
      return { status: 503, detail: "chat is not configured: set OPENAI_API_KEY" }
    case "ModelTimeout":
      return { status: 504, detail: "The language model did not answer in time." }
    case "ModelFailure":
      return { status: 502, detail: "The language model failed to answer." }
    default:
      return { status: 500, detail: "Something went wrong on our side." }
  }
}
