import type { Problem } from "@todo/contracts"
import { HttpServerResponse } from "effect/http"

/** Problem types are URIs relative to the API docs; `about:blank` would say nothing useful to a client. */
const PROBLEMS = "https://todo.app/problems"
const typeFor = (status: number) => `${PROBLEMS}/${status}`

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

export interface ProblemInit {
  readonly status: number
  readonly detail?: string
  readonly title?: string
  readonly type?: string
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>
}

export const problem = (init: ProblemInit): Problem => ({
  type: init.type ?? typeFor(init.status),
  title: init.title ?? titles[init.status] ?? "Error",
  status: init.status,
  ...(init.detail !== undefined ? { detail: init.detail } : {}),
  ...(init.errors !== undefined ? { errors: init.errors } : {}),
})

/** An RFC 9457 `application/problem+json` response. */
export const problemResponse = (init: ProblemInit) =>
  HttpServerResponse.jsonUnsafe(problem(init), {
    status: init.status,
    contentType: "application/problem+json",
    ...(init.headers ? { headers: init.headers } : {}),
  })

/**
 * What an error means over HTTP, said once, by the error class itself (`get httpMeaning()`): its status, a problem
 * `type` and `title` of its own, the detail for this occurrence, and for a 5xx whether it is worth an error log.
 * The status is a literal type (`HttpMeaning<404>`), so the statuses a route can fail with are known from its
 * handler's error type (ContractRouter's `route` holds them to the contract's).
 */
export interface HttpMeaning<S extends number = number> extends ProblemInit {
  readonly status: S
  readonly type: string
  readonly title: string
  readonly detail: string
  /** An expected 5xx (a feature switched off): logged at debug, not as an error on every call. */
  readonly quiet?: boolean
}

/** An error a route may fail with: it carries its HTTP meaning. */
export interface HttpError<S extends number = number> {
  readonly _tag: string
  readonly httpMeaning: HttpMeaning<S>
}

/**
 * An HTTP meaning with a problem type named after the error (`https://todo.app/problems/task-not-found`) and the
 * status's own title unless the error gives one.
 */
export const meaning = <const S extends number>(
  status: S,
  name: string,
  detail: string,
  extra: Pick<HttpMeaning, "errors" | "headers" | "quiet"> & { readonly title?: string } = {},
): HttpMeaning<S> => ({
  status,
  type: `${PROBLEMS}/${name}`,
  title: titles[status] ?? "Error",
  detail,
  ...extra,
})

/** A failure without an HTTP meaning of its own (a database error, a defect in disguise): a 500 that says nothing. */
export const INTERNAL: HttpMeaning<500> = {
  status: 500,
  type: typeFor(500),
  title: "Internal Server Error",
  detail: "Something went wrong on our side.",
}

export const isHttpError = (error: unknown): error is HttpError =>
  typeof error === "object" &&
  error !== null &&
  "httpMeaning" in error &&
  typeof error.httpMeaning === "object"

/** The one mapping from a route's failure to its answer. */
export const meaningOf = (error: HttpError | { readonly _tag: "SqlError" }): HttpMeaning =>
  isHttpError(error) ? error.httpMeaning : INTERNAL
