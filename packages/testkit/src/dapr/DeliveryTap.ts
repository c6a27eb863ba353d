import { createServer, type IncomingHttpHeaders, request } from "node:http"
import type { AddressInfo } from "node:net"

/** One request the agent's sidecar made to the agent, and what came of it. */
export interface TappedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The CloudEvent id, for deliveries. */
  readonly eventId: string | undefined
  /** The agent's status code, or "reset" when the sidecar got no answer (agent down, or a decision below). */
  readonly status: number | "reset"
  /** The agent's answer body, e.g. {"status":"SUCCESS"}. */
  readonly answer: string
  /** When the request arrived (Date.now()), and how long the agent took to answer it. */
  readonly at: number
  readonly durationMs: number
}

/** What to do with the agent's answer before the sidecar sees it. */
export type TapDecision = "answer" | "reset"

export interface DeliveryTap {
  /** The port daprd's --app-port points at. */
  readonly port: number
  readonly requests: () => ReadonlyArray<TappedRequest>
  /** Deliveries of topic events (POST /events/...), in arrival order. */
  readonly deliveries: (path?: string) => ReadonlyArray<TappedRequest>
  /** Called after the agent answered, before the sidecar gets the answer. */
  onAnswer: ((request: TappedRequest) => TapDecision | Promise<TapDecision>) | undefined
  readonly close: () => Promise<void>
}

const eventIdOf = (body: string) => {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id
    return typeof id === "string" ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * A transparent HTTP hop between the agent's daprd and the agent, on loopback: it forwards every request unchanged
 * and records it with the agent's answer, so the drills can see each delivery attempt the real sidecar made (and
 * its headers) without reaching into either process; and it can withhold an answer, as a crash between handling
 * and answering would. An unreachable agent is a reset connection, as daprd would see it without the hop.
 */
export const startDeliveryTap = async (agentPort: number): Promise<DeliveryTap> => {
  const log: Array<TappedRequest> = []
  const tap: DeliveryTap = {
    port: 0,
    requests: () => log,
    deliveries: (path) =>
      log.filter((r) => r.method === "POST" && (path ? r.path === path : r.path.startsWith("/events/"))),
    onAnswer: undefined,
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    const arrived = Date.now()
    const started = performance.now()
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      const base = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: body.toString("utf8"),
        eventId: eventIdOf(body.toString("utf8")),
      }
      const upstream = request(
        { host: "127.0.0.1", port: agentPort, method: base.method, path: base.path, headers: req.headers },
        (answer) => {
          const parts: Array<Buffer> = []
          answer.on("data", (c: Buffer) => parts.push(c))
          answer.on("end", async () => {
            const text = Buffer.concat(parts).toString("utf8")
            const durationMs = performance.now() - started
            const record = { ...base, status: answer.statusCode ?? 0, answer: text, at: arrived, durationMs }
            const decision = (await tap.onAnswer?.(record)) ?? "answer"
            if (decision === "reset") {
              log.push({ ...record, status: "reset" })
              req.socket.destroy()
              return
            }
            log.push(record)
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts))
          })
        },
      )
      upstream.on("error", () => {
        log.push({
          ...base,
          status: "reset",
          answer: "",
          at: arrived,
          durationMs: performance.now() - started,
        })
        req.socket.destroy()
      })
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  Object.assign(tap, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  })
  return tap
}
