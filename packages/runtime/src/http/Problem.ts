import type { Problem } from "@todo/contracts"
import { HttpServerResponse } from "effect/http"

/** Problem types are URIs relative to the API docs; `about:blank` would say nothing useful to a client. */
const typeFor = (status: number) => `https://todo.app/problems/${status}`

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
