import http from "node:http"
import { canonicalHeaderKey, headerValueBytes } from "./GoHttp.ts"

/**
 * The sidecar → app HTTP channel: one keep-alive agent per sidecar run (daprd's Go client keeps connections too),
 * destroyed when the sidecar stops so no socket outlives it.
 */
export interface AppRequest {
  readonly method: "GET" | "POST"
  readonly url: URL
  /** Header names as daprd would write them; later entries win (case-insensitively). */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body?: Buffer
  /** Per-attempt timeout (DAPR.md §5 `timeouts`): on expiry the request is abandoned, the app may still run. */
  readonly timeoutMs?: number
  readonly signal: AbortSignal
}

export interface AppResponse {
  readonly status: number
  readonly body: Buffer
}

export type AppCallFailure = "connection" | "timeout" | "aborted"

export class AppCallError extends Error {
  override readonly name = "AppCallError"
  readonly kind: AppCallFailure
  constructor(kind: AppCallFailure, message: string) {
    super(message)
    this.kind = kind
  }
}

/** Header names Go's request writer never takes from the header map (net/http `reqWriteExcludeHeader`). */
const GO_EXCLUDED = new Set(["host", "content-length", "transfer-encoding", "trailer"])

/** Builds the outgoing header object: Go canonical names, UTF-8 bytes as latin1 (see GoHttp.headerValueBytes). */
export const wireHeaders = (headers: ReadonlyArray<readonly [string, string]>): Record<string, string> => {
  const byLower = new Map<string, readonly [string, string]>()
  for (const [name, value] of headers) {
    if (!GO_EXCLUDED.has(name.toLowerCase()))
      byLower.set(name.toLowerCase(), [canonicalHeaderKey(name), value])
  }
  return Object.fromEntries([...byLower.values()].map(([n, v]) => [n, headerValueBytes(v)]))
}

export const callApp = (agent: http.Agent, req: AppRequest): Promise<AppResponse> =>
  new Promise((resolve, reject) => {
    if (req.signal.aborted) return reject(new AppCallError("aborted", "sidecar stopped"))
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      req.signal.removeEventListener("abort", onAbort)
      fn()
    }
    let outgoing: http.ClientRequest
    const onAbort = () => {
      outgoing?.destroy()
      finish(() => reject(new AppCallError("aborted", "sidecar stopped")))
    }
    try {
      outgoing = http.request(req.url, {
        method: req.method,
        agent,
        headers: {
          ...wireHeaders(req.headers),
          ...(req.body ? { "Content-Length": String(req.body.length) } : {}),
        },
      })
    } catch (e) {
      // Invalid header names/values: Go's client refuses such a request as well, which daprd treats as retriable.
      return reject(new AppCallError("connection", e instanceof Error ? e.message : String(e)))
    }
    req.signal.addEventListener("abort", onAbort, { once: true })
    if (req.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        outgoing.destroy()
        finish(() => reject(new AppCallError("timeout", `no answer within ${req.timeoutMs} ms`)))
      }, req.timeoutMs)
    }
    outgoing.on("error", (e) => finish(() => reject(new AppCallError("connection", e.message))))
    outgoing.on("response", (res) => {
      const chunks: Buffer[] = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("error", (e) => finish(() => reject(new AppCallError("connection", e.message))))
      res.on("end", () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })))
    })
    outgoing.end(req.body)
  })
