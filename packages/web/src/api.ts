import { signal } from "@preact/signals"
import { type ApiFetcherArgs, initClient, tsRestFetchApi, UnknownStatusError } from "@ts-rest/core"
import { contract, type Problem, type User } from "@todo/contracts"

/**
 * The one door to the API: the typed ts-rest client built from the shared contract. Every screen calls the server
 * through `client` (wrapped in `call`), so a drift between the contract and the UI is a type error.
 */

const TOKEN_KEY = "todo.token"
const USER_KEY = "todo.user"

const readUser = (): User | null => {
  try {
    const raw = localStorage.getItem(USER_KEY)
    return raw ? (JSON.parse(raw) as User) : null
  } catch {
    return null
  }
}

/** The bearer token, kept in localStorage so a reload keeps you signed in. */
export const token = signal<string | null>(localStorage.getItem(TOKEN_KEY))
export const currentUser = signal<User | null>(readUser())

export const saveSession = (session: { token: string; user: User } | null) => {
  if (session) {
    localStorage.setItem(TOKEN_KEY, session.token)
    localStorage.setItem(USER_KEY, JSON.stringify(session.user))
  } else {
    localStorage.removeItem(TOKEN_KEY)
    localStorage.removeItem(USER_KEY)
  }
  currentUser.value = session?.user ?? null
  token.value = session?.token ?? null
}

/** Where the server stands as far as this tab can tell. */
export type Connection = "online" | "offline" | "down"
export const connection = signal<Connection>(navigator.onLine ? "online" : "offline")
/** Set when a request answered 401 while we thought we were signed in (expired or revoked token). */
export const sessionExpired = signal(false)

export const authHeader = (): Record<string, string> =>
  token.value ? { authorization: `Bearer ${token.value}` } : {}

/** The fetcher under the client: adds the bearer header at call time and notes whether the server answered. */
const api = async (args: ApiFetcherArgs) => {
  try {
    const res = await tsRestFetchApi({ ...args, headers: { ...args.headers, ...authHeader() } })
    // A proxy (Vite's in development, a load balancer in production) answers 502/504 when the server is gone.
    const proxyDown =
      (res.status === 502 || res.status === 504) && !(typeof res.body === "object" && res.body !== null)
    if (proxyDown) markDown()
    else if (connection.value !== "online") connection.value = "online"
    return res
  } catch (e) {
    if (!(e instanceof DOMException && e.name === "AbortError")) markDown()
    throw e
  }
}

export const client = initClient(contract, { baseUrl: "", api, throwOnUnknownStatus: true })
export type Client = typeof client

const markDown = () => {
  connection.value = navigator.onLine ? "down" : "offline"
}

/**
 * No usable answer: the server could not be reached, or it answered a status the contract does not list
 * (`answered` then holds it).
 */
export interface Unreachable {
  readonly status: 0
  readonly body: Problem
  readonly answered?: number
}

const unreachable = (detail: string): Unreachable => ({
  status: 0,
  body: { type: "about:blank", title: "Cannot reach the server", status: 0, detail },
})

/**
 * Runs one client call. Network failures become `{ status: 0 }` instead of exceptions, and a 401 on a signed-in
 * session signs the tab out, so every screen only has to look at `status`.
 */
export const call = async <R extends { status: number; body: unknown }>(
  run: () => Promise<R>,
): Promise<R | Unreachable> => {
  try {
    const res = await run()
    if (res.status === 401 && token.value) {
      sessionExpired.value = true
      saveSession(null)
    }
    return res
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e
    if (e instanceof UnknownStatusError) {
      const answered = e.response.status
      return { status: 0, answered, body: problemOf({ status: answered, body: e.response.body }) }
    }
    return unreachable(e instanceof Error ? e.message : String(e))
  }
}

/** The problem document of a failed answer, whatever the server (or a proxy in front of it) sent. */
export const problemOf = (res: { status: number; body: unknown }): Problem => {
  const body = res.body
  if (typeof body === "object" && body !== null && "title" in body && typeof body.title === "string") {
    return body as Problem
  }
  return {
    type: "about:blank",
    title: res.status === 0 ? "Cannot reach the server" : `Error ${res.status}`,
    status: res.status,
  }
}

/** `errors` of a problem keyed by field: `body.title` → `title`, `query.limit` → `limit`. */
export const fieldErrors = (problem: Problem | null | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const e of problem?.errors ?? []) {
    const field = e.path.replace(/^(body|query|params|headers)\.?/, "") || "_"
    out[field] ??= e.message
  }
  return out
}

/** A one-line, human message for a failed call. */
export const describeProblem = (res: { status: number; body: unknown }): string => {
  if (res.status === 0 && !("answered" in res && res.answered)) {
    return "Can't reach the server. Check your connection; we'll keep retrying."
  }
  const p = problemOf(res)
  if (res.status === 429) return p.detail ?? "Too many requests. Wait a moment and try again."
  if (res.status >= 500 && !p.detail) return `The server had a problem (${p.title}). Try again in a moment.`
  return p.detail ? `${p.title}: ${p.detail}` : p.title
}

/**
 * Whether a route is not on this server (yet): the API's catch-all answers `404 No route for …`, and anything in
 * front of it may answer 404 without a problem document, or 405/501.
 */
export const isMissingRoute = (res: { status: number; body: unknown; answered?: number }) => {
  if (res.status === 0) return res.answered === 405 || res.answered === 501
  if (res.status !== 404) return false
  const detail = problemOf(res).detail
  return detail === undefined || detail.startsWith("No route")
}
