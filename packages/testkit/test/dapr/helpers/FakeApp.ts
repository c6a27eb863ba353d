import http, { type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

/** A tiny real app server for the simulator's tests: records every request and answers as scripted. */
export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: readonly string[]
  readonly body: Buffer
}

export interface Answer {
  readonly status: number
  readonly body?: string
  /** Delay before answering (to exercise per-attempt timeouts). */
  readonly delayMs?: number
}

/** An Answer, or "destroy" to cut the connection without an HTTP answer. */
export type Handler = (req: ReceivedRequest) => Answer | "destroy"

export interface FakeApp {
  readonly port: number
  readonly url: string
  readonly requests: ReceivedRequest[]
  /** Requests to paths other than /dapr/subscribe and /dapr/config. */
  deliveries(path?: string): ReceivedRequest[]
  /** Parsed JSON bodies of the deliveries. */
  events(path?: string): Array<Record<string, unknown>>
  setHandler(handler: Handler): void
  close(): Promise<void>
}

export interface FakeAppOptions {
  /** The JSON answered to GET /dapr/subscribe (default []), or a full Answer. */
  readonly subscriptions?: unknown
  readonly subscribeAnswer?: Answer
  readonly handler?: Handler
  readonly port?: number
}

const ok: Handler = () => ({ status: 200, body: '{"status":"SUCCESS"}' })

export const startFakeApp = async (options: FakeAppOptions = {}): Promise<FakeApp> => {
  const requests: ReceivedRequest[] = []
  let handler = options.handler ?? ok
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const received: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      }
      requests.push(received)
      let answer: Answer | "destroy"
      if (received.url === "/dapr/subscribe") {
        answer = options.subscribeAnswer ?? { status: 200, body: JSON.stringify(options.subscriptions ?? []) }
      } else if (received.url === "/dapr/config") answer = { status: 404, body: "" }
      else answer = handler(received)
      if (answer === "destroy") {
        res.socket?.destroy()
        return
      }
      const reply = (a: Answer) => {
        if (res.destroyed) return
        res.writeHead(a.status, { "Content-Type": "application/json" })
        res.end(a.body ?? "")
      }
      if (answer.delayMs === undefined) reply(answer)
      else {
        const a = answer
        const t = setTimeout(() => {
          timers.delete(t)
          reply(a)
        }, a.delayMs)
        timers.add(t)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  const deliveries = (path?: string) =>
    requests.filter(
      (r) =>
        r.url !== "/dapr/subscribe" && r.url !== "/dapr/config" && (path === undefined || r.url === path),
    )
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    deliveries,
    events: (path) =>
      deliveries(path).map((r) => JSON.parse(r.body.toString("utf8")) as Record<string, unknown>),
    setHandler: (h) => {
      handler = h
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
