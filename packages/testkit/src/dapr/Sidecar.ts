import http, { type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { readAppSubscriptions } from "./AppSubscriptions.ts"
import type { Broker, BrokerRecord } from "./Broker.ts"
import { healthNotReady, invalidApiToken, routeNotFound } from "./DaprErrors.ts"
import { type DeliveryContext, handleRecord, type ResiliencyOptions } from "./Delivery.ts"
import { goPathClean } from "./GoHttp.ts"
import type { MeshLog } from "./MeshLog.ts"
import { handlePublish } from "./PublishHandler.ts"
import {
  firstHeader,
  type HttpAnswer,
  type PublishOptions,
  publishOverHttp,
  readBody,
  send,
} from "./SidecarHttp.ts"
import type { Subscription } from "./Subscriptions.ts"
import { childSpan, formatTraceparent, parseTraceparent } from "./TraceParent.ts"

/**
 * One simulated daprd: a real HTTP server on 127.0.0.1 serving the Dapr HTTP API the apps use, plus the
 * subscription side that reads `/dapr/subscribe` and delivers records from the broker to the app.
 */
export interface SidecarOptions {
  readonly appId: string
  /** The app's port on 127.0.0.1 (or give `appUrl`). Omit both for a publish-only app (DAPR.md §4). */
  readonly appPort?: number
  readonly appUrl?: string
  /** The sidecar's own HTTP port; 0 (default) picks a free one. Kept across `stop()`/`restart()`. */
  readonly port?: number
  /** DAPR_API_TOKEN: required as `dapr-api-token` on every call but `GET /v1.0/healthz[/outbound]` (DAPR.md §7). */
  readonly daprApiToken?: string
  /** APP_API_TOKEN: sent as `dapr-api-token` on `/dapr/subscribe`, `/dapr/config` and deliveries (DAPR.md §7). */
  readonly appApiToken?: string
  /** The pub/sub component name (default `pubsub-kafka`). */
  readonly pubsubName?: string
  /**
   * Inbound resiliency (DAPR.md §5). Default `{ maxRetries: 3, intervalMs: 50 }` (the seed policy's 4 attempts, with
   * a test-friendly interval instead of 2 s). `false` = no policy: one attempt, no retries (DAPR.md §2 step 1).
   */
  readonly resiliency?: ResiliencyOptions | false
  /** Backoff between whole-handler reruns when retries run out without a DLQ (Kafka component: 5 s; default 100 ms). */
  readonly redeliveryBackoffMs?: number
  /**
   * Tracing configured on this daprd: it mints its own span (child of the incoming context) at publish and at
   * delivery (DAPR.md §1, §2, §6). Off (default): the incoming `traceparent` passes through unchanged.
   */
  readonly tracing?: boolean
  /** Topics this app may publish to (`publishingScopes`); others answer 403 `ERR_PUBSUB_FORBIDDEN`. Default: all. */
  readonly publishingScopes?: readonly string[]
  /** How long to keep asking the app for `/dapr/subscribe` before giving up (default 10 000 ms). */
  readonly appReadyTimeoutMs?: number
  /** Interval between those attempts (default 50 ms). */
  readonly appPollIntervalMs?: number
  /** Deliver every record twice, the second time after the first one is finished (at-least-once, DAPR.md §2). */
  readonly duplicateDeliveries?: boolean
}

export const DEFAULT_RESILIENCY: ResiliencyOptions = { maxRetries: 3, intervalMs: 50 }

/** What a sidecar needs from its mesh. */
export interface MeshServices {
  readonly broker: Broker
  readonly log: MeshLog
  readonly onClosed: (sidecar: Sidecar) => void
}

interface Run {
  readonly controller: AbortController
  readonly agent: http.Agent
  readonly server: http.Server
}

export class Sidecar {
  readonly appId: string
  readonly pubsubName: string
  readonly options: SidecarOptions
  readonly #services: MeshServices
  #port: number
  #appUrl: URL | undefined
  #run: Run | undefined
  #ready = false
  #paused = false
  readonly #pausedPartitions = new Set<string>()
  #duplicate: boolean
  #subscriptions: readonly Subscription[] = []
  #leaves: Array<() => void> = []
  #inFlightPublishes = 0
  #loading = 0

  private constructor(services: MeshServices, options: SidecarOptions) {
    this.#services = services
    this.options = options
    this.appId = options.appId
    this.pubsubName = options.pubsubName ?? "pubsub-kafka"
    this.#port = options.port ?? 0
    this.#duplicate = options.duplicateDeliveries ?? false
    const url =
      options.appUrl ?? (options.appPort === undefined ? undefined : `http://127.0.0.1:${options.appPort}`)
    this.#appUrl = url === undefined ? undefined : new URL(url)
  }

  /** Starts the HTTP server and, when the app address is known, waits until its subscriptions are read. */
  static async start(services: MeshServices, options: SidecarOptions): Promise<Sidecar> {
    const sidecar = new Sidecar(services, options)
    await sidecar.#startRun()
    return sidecar
  }

  get port(): number {
    return this.#port
  }
  /** `http://127.0.0.1:<port>`: what the app uses as DAPR_HTTP_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`
  }
  get running(): boolean {
    return this.#run !== undefined
  }
  get paused(): boolean {
    return this.#paused
  }
  get subscriptions(): readonly Subscription[] {
    return this.#subscriptions
  }
  /** True while a publish request is being handled or subscriptions are being read. */
  get busy(): boolean {
    return this.#inFlightPublishes > 0 || this.#loading > 0
  }

  /** Environment for an app process using this sidecar (as the injector/SDK expect, DAPR.md §7). */
  env(): Record<string, string> {
    return {
      DAPR_HTTP_PORT: String(this.#port),
      DAPR_HTTP_ENDPOINT: this.url,
      ...(this.options.daprApiToken === undefined ? {} : { DAPR_API_TOKEN: this.options.daprApiToken }),
      ...(this.options.appApiToken === undefined ? {} : { APP_API_TOKEN: this.options.appApiToken }),
    }
  }

  async #startRun(): Promise<void> {
    const server = http.createServer((req, res) => {
      this.#serve(req, res).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `simulator error: ${String(e)}\n`)
        else res.destroy()
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(this.#port, "127.0.0.1", () => {
        server.off("error", reject)
        resolve()
      })
    })
    this.#port = (server.address() as AddressInfo).port
    this.#run = { controller: new AbortController(), agent: new http.Agent({ keepAlive: true }), server }
    if (this.#appUrl === undefined) {
      this.#ready = true
      return
    }
    try {
      await this.#loadSubscriptions()
    } catch (e) {
      await this.stop()
      throw e
    }
  }

  /** Tells the sidecar where its app listens (when it started first) and reads the app's subscriptions. */
  async connectApp(appPortOrUrl: number | string): Promise<void> {
    this.#appUrl = new URL(
      typeof appPortOrUrl === "number" ? `http://127.0.0.1:${appPortOrUrl}` : appPortOrUrl,
    )
    if (this.#run !== undefined) await this.#loadSubscriptions()
  }

  /** Reads `/dapr/subscribe` again (daprd reads it once per start; a restart does this too). */
  async resubscribe(): Promise<void> {
    if (this.#run === undefined) throw new Error(`[dapr-sim] sidecar ${this.appId} is stopped`)
    await this.#loadSubscriptions()
  }

  async #loadSubscriptions(): Promise<void> {
    const run = this.#run
    const appUrl = this.#appUrl
    if (run === undefined || appUrl === undefined) return
    this.#loading++
    try {
      const parsed = await readAppSubscriptions({
        appId: this.appId,
        appUrl,
        appApiToken: this.options.appApiToken,
        timeoutMs: this.options.appReadyTimeoutMs ?? 10_000,
        pollIntervalMs: this.options.appPollIntervalMs ?? 50,
        agent: run.agent,
        signal: run.controller.signal,
      })
      for (const w of parsed.warnings) this.#services.log.warnings.push(`${this.appId}: ${w}`)
      this.#applySubscriptions(parsed.subscriptions)
      this.#ready = true
    } finally {
      this.#loading--
    }
  }

  #applySubscriptions(all: readonly Subscription[]) {
    const mine: Subscription[] = []
    for (const s of all) {
      if (s.pubsubname !== this.pubsubName) {
        this.#services.log.warnings.push(
          `${this.appId}: pubsub ${s.pubsubname} not found; subscription to ${s.topic} ignored`,
        )
      } else if (mine.some((m) => m.topic === s.topic)) {
        this.#services.log.warnings.push(`${this.appId}: duplicate subscription to ${s.topic} ignored`)
      } else mine.push(s)
    }
    for (const leave of this.#leaves) leave()
    this.#subscriptions = mine
    this.#leaves = mine.map((s) =>
      this.#services.broker.join({
        group: this.appId,
        topic: s.topic,
        isPartitionPaused: (p) =>
          this.#run === undefined || this.#paused || this.#pausedPartitions.has(`${s.topic}\u0000${p}`),
        handle: (record) => this.#handle(s.topic, record),
      }),
    )
  }

  #deliveryContext(run: Run, appUrl: URL): DeliveryContext {
    const resiliency = this.options.resiliency ?? DEFAULT_RESILIENCY
    return {
      appId: this.appId,
      pubsubName: this.pubsubName,
      appUrl,
      appApiToken: this.options.appApiToken,
      tracing: this.options.tracing ?? false,
      resiliency: resiliency === false ? undefined : resiliency,
      redeliveryBackoffMs: this.options.redeliveryBackoffMs ?? 100,
      broker: this.#services.broker,
      log: this.#services.log,
      agent: run.agent,
      signal: run.controller.signal,
      mayPublish: (topic) => this.#mayPublish(topic),
    }
  }

  async #handle(topic: string, record: BrokerRecord): Promise<"committed" | "abandoned"> {
    const run = this.#run
    const appUrl = this.#appUrl
    const subscription = this.#subscriptions.find((s) => s.topic === topic)
    if (run === undefined || appUrl === undefined || subscription === undefined) return "abandoned"
    const ctx = this.#deliveryContext(run, appUrl)
    const first = await handleRecord(ctx, record, subscription, false)
    if (first === "committed" && this.#duplicate) await handleRecord(ctx, record, subscription, true)
    return first
  }

  #mayPublish(topic: string): boolean {
    return this.options.publishingScopes === undefined || this.options.publishingScopes.includes(topic)
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/"
    const q = rawUrl.indexOf("?")
    const rawQuery = q < 0 ? "" : rawUrl.slice(q + 1)
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
    const path = goPathClean(rawPath)
    const method = req.method ?? "GET"
    const isHealth = method === "GET" && (path === "/v1.0/healthz" || path === "/v1.0/healthz/outbound")
    const token = this.options.daprApiToken
    if (token !== undefined && firstHeader(req.headers["dapr-api-token"]) !== token && !isHealth) {
      const e = invalidApiToken()
      return send(res, e.status, e.contentType, e.body)
    }
    if (path.startsWith("/v1.0/publish/")) {
      if (method !== "POST" && method !== "PUT") return send(res, 405, undefined, "")
      this.#inFlightPublishes++
      try {
        return await this.#publish(req, res, method, rawPath, path.slice("/v1.0/publish/".length), rawQuery)
      } finally {
        this.#inFlightPublishes--
      }
    }
    if (path === "/v1.0/healthz" && method === "GET") {
      // 204 only once the app channel is up (DAPR.md §3); outbound is ready as soon as the API listens.
      if (this.#ready) return send(res, 204, undefined, "")
      const e = healthNotReady()
      return send(res, e.status, e.contentType, e.body)
    }
    if (path === "/v1.0/healthz/outbound" && method === "GET") return send(res, 204, undefined, "")
    if (path === "/v1.0/metadata" && method === "GET")
      return send(res, 200, "application/json", JSON.stringify(this.#metadata()))
    if (path === "/v1.0/shutdown" && method === "POST") {
      send(res, 204, undefined, "")
      setImmediate(() => void this.stop())
      return
    }
    const e = routeNotFound()
    return send(res, e.status, e.contentType, e.body)
  }

  async #publish(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawPath: string,
    rest: string,
    rawQuery: string,
  ) {
    const body = await readBody(req)
    const incoming = parseTraceparent(firstHeader(req.headers.traceparent))
    const incomingState = incoming === undefined ? "" : (firstHeader(req.headers.tracestate) ?? "")
    const tracing = this.options.tracing ?? false
    // Tracing on: the envelope carries this sidecar's span (child of the request's context, or a new root).
    // Off: the request's value passes through unchanged (DAPR.md §1 `traceid` = `traceparent` row).
    const child = tracing ? childSpan(incoming) : undefined
    if (child) {
      this.#services.log.spans.push({
        appId: this.appId,
        name: `publish ${rest}`,
        traceId: child.traceId,
        spanId: child.spanId,
        parentSpanId: incoming?.spanId,
      })
    }
    const span = child ? formatTraceparent(child) : undefined
    const traceparent = span ?? (incoming === undefined ? "" : (firstHeader(req.headers.traceparent) ?? ""))
    const outcome = handlePublish(
      {
        appId: this.appId,
        pubsubName: this.pubsubName,
        broker: this.#services.broker,
        mayPublish: (t) => this.#mayPublish(t),
        nowMs: Date.now(),
      },
      { rest, rawQuery, headers: req.headers, body, traceparent, tracestate: incomingState },
    )
    // Logged before answering, so a caller that awaited the response always finds its request in the log.
    this.#services.log.addPublish({
      appId: this.appId,
      method,
      path: rawPath,
      query: rawQuery,
      headers: req.headers,
      body,
      status: outcome.ok ? 204 : outcome.error.status,
      responseBody: outcome.ok ? "" : outcome.error.body.toString("utf8"),
      record: outcome.ok ? outcome.record : undefined,
    })
    const extra: Record<string, string> = span === undefined ? {} : { traceparent: span }
    if (outcome.ok) send(res, 204, undefined, "", extra)
    else send(res, outcome.error.status, outcome.error.contentType, outcome.error.body, extra)
  }

  #metadata() {
    return {
      id: this.appId,
      runtimeVersion: "1.18.3",
      enabledFeatures: [],
      components: [{ name: this.pubsubName, type: "pubsub.kafka", version: "v1", capabilities: [] }],
      subscriptions: this.#subscriptions.map((s) => ({
        pubsubname: s.pubsubname,
        topic: s.topic,
        deadLetterTopic: s.deadLetterTopic ?? "",
        metadata: s.metadata,
        rules: { rules: s.rules.map((r) => ({ match: r.match, path: r.path })) },
        type: "PROGRAMMATIC",
      })),
      appConnectionProperties:
        this.#appUrl === undefined
          ? {}
          : { port: Number(this.#appUrl.port), protocol: "http", channelAddress: this.#appUrl.hostname },
    }
  }

  /** Stops taking new records (records already being delivered finish). */
  pause(): void {
    this.#paused = true
  }
  resume(): void {
    this.#paused = false
    this.#services.broker.kick(this.appId)
  }
  /** Holds back one partition of a topic: records of other partitions (other users) overtake its records. */
  pausePartition(topic: string, partition: number): void {
    this.#pausedPartitions.add(`${topic}\u0000${partition}`)
  }
  resumePartition(topic: string, partition: number): void {
    this.#pausedPartitions.delete(`${topic}\u0000${partition}`)
    this.#services.broker.kick(this.appId)
  }
  get duplicateDeliveries(): boolean {
    return this.#duplicate
  }
  set duplicateDeliveries(on: boolean) {
    this.#duplicate = on
  }

  /**
   * Sidecar down: closes the HTTP server and every connection, leaves the consumer groups and abandons in-flight
   * deliveries (they are redelivered after `restart()`, a duplicate if the app had already acted on them).
   */
  async stop(): Promise<void> {
    const run = this.#run
    if (run === undefined) return
    this.#run = undefined
    this.#ready = false
    for (const leave of this.#leaves) leave()
    this.#leaves = []
    run.controller.abort()
    await new Promise<void>((resolve) => {
      run.server.close(() => resolve())
      run.server.closeAllConnections()
    })
    run.agent.destroy()
  }

  /** Sidecar up again on the same port; reads `/dapr/subscribe` again and resumes from the committed offsets. */
  async restart(): Promise<void> {
    if (this.#run !== undefined) throw new Error(`[dapr-sim] sidecar ${this.appId} is already running`)
    await this.#startRun()
  }

  /** Stops the sidecar for good and removes it from its mesh. */
  async close(): Promise<void> {
    await this.stop()
    this.#services.onClosed(this)
  }

  /** Publishes through this sidecar's HTTP API, as an app would (adds `dapr-api-token` when configured). */
  publish(topic: string, data: unknown, options: PublishOptions = {}): Promise<HttpAnswer> {
    return publishOverHttp(this.url, options.pubsubName ?? this.pubsubName, topic, data, {
      ...options,
      headers: {
        ...(this.options.daprApiToken === undefined ? {} : { "dapr-api-token": this.options.daprApiToken }),
        ...options.headers,
      },
    })
  }
}
