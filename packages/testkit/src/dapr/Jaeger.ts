import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ReceivedSpan } from "../OtlpReceiver.ts"
import { type Managed, spawnManaged } from "../ProcessGroup.ts"
import { loopbackPort } from "./Ports.ts"

export interface Jaeger {
  /** Base URL of the OTLP/HTTP receiver, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly otlpUrl: string
  /** host:port of the same receiver, for daprd's tracing Configuration (`otel.endpointAddress`, no scheme). */
  readonly otlpAddress: string
  /** Jaeger's query service: the UI at `/`, the query API at `/api/...`. */
  readonly queryUrl: string
  /** A trace as Jaeger's query API returns it (empty until Jaeger has stored a span of it). */
  readonly trace: (traceId: string) => Promise<ReadonlyArray<ReceivedSpan>>
  /** The ids of the traces of the last hour with a span of `service` carrying every tag (the UI's search). */
  readonly findTraces: (service: string, tags: Record<string, string>) => Promise<ReadonlyArray<string>>
  readonly process: () => Managed
  readonly stop: () => Promise<void>
}

/** The port if it is free on 127.0.0.1 now, else a free one (for a documented default that may be taken). */
export const preferredPort = (port: number) =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(loopbackPort()))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(port)))
  })

/**
 * The collector configuration of Jaeger v2 for one machine: OTLP/HTTP in, in-memory storage, the query service
 * (UI + API) out, every listener on 127.0.0.1 at the given ports. Jaeger's built-in all-in-one configuration listens
 * on eleven fixed ports (gRPC, Thrift, Zipkin, sampling, health, metrics …) that tests run side by side cannot share.
 */
const config = (ports: { readonly otlp: number; readonly query: number; readonly queryGrpc: number }) => `
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memory_store
    # Jaeger would otherwise trace its own queries into the same store.
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
`

/** Jaeger's JSON (/api/traces/<id>, the format its UI reads) as the OTLP receiver's spans. */
interface JaegerTraceResponse {
  readonly data?: ReadonlyArray<{
    readonly spans: ReadonlyArray<{
      readonly traceID: string
      readonly spanID: string
      readonly operationName: string
      readonly references?: ReadonlyArray<{ readonly refType: string; readonly spanID: string }>
      readonly tags?: ReadonlyArray<{ readonly key: string; readonly value: unknown }>
      readonly processID: string
    }>
    readonly processes: Record<string, { readonly serviceName: string }>
  }>
}

/** OTLP's SpanKind numbers for Jaeger's `span.kind` tag. */
const KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 }

export const jaegerSpans = (body: JaegerTraceResponse): ReadonlyArray<ReceivedSpan> =>
  (body.data ?? []).flatMap((trace) =>
    trace.spans.map((s) => {
      const attributes = Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value]))
      return {
        service: trace.processes[s.processID]?.serviceName ?? "",
        traceId: s.traceID,
        spanId: s.spanID,
        parentSpanId: s.references?.find((r) => r.refType === "CHILD_OF")?.spanID,
        name: s.operationName,
        kind: KINDS[String(attributes["span.kind"] ?? "internal")] ?? 1,
        attributes,
      }
    }),
  )

/**
 * Jaeger v2 (cmd/jaeger, built by scripts/go-tools.sh) with in-memory storage: traces live as long as the process.
 * Ports are free loopback ports unless given. Resolves once the query API answers.
 */
export const startJaeger = async (options: {
  readonly binary: string
  readonly otlpPort?: number
  readonly queryPort?: number
}): Promise<Jaeger> => {
  const ports = {
    otlp: options.otlpPort ?? (await loopbackPort()),
    query: options.queryPort ?? (await loopbackPort()),
    queryGrpc: await loopbackPort(),
  }
  const dir = mkdtempSync(join(tmpdir(), "todo-jaeger-"))
  const configPath = join(dir, "jaeger.yaml")
  writeFileSync(configPath, config(ports))
  const queryUrl = `http://127.0.0.1:${ports.query}`
  const managed = spawnManaged({
    name: "jaeger",
    command: options.binary,
    args: ["--config", `file:${configPath}`],
  })
  const stop = async () => {
    await managed.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const deadline = Date.now() + 30_000
    for (;;) {
      if (!managed.running())
        throw new Error(`jaeger exited during start-up:\n${managed.output().slice(-4000)}`)
      const ok = await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.ok)
        .catch(() => false)
      if (ok) break
      if (Date.now() > deadline)
        throw new Error(`jaeger not ready in 30 s:\n${managed.output().slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    otlpUrl: `http://127.0.0.1:${ports.otlp}`,
    otlpAddress: `127.0.0.1:${ports.otlp}`,
    queryUrl,
    trace: async (traceId) => {
      const response = await fetch(`${queryUrl}/api/traces/${traceId}`, {
        signal: AbortSignal.timeout(5_000),
      })
      // 404 until a span of the trace is stored.
      if (response.status === 404) return []
      if (!response.ok)
        throw new Error(`jaeger /api/traces/${traceId}: ${response.status} ${await response.text()}`)
      return jaegerSpans((await response.json()) as JaegerTraceResponse)
    },
    findTraces: async (service, tags) => {
      const query = new URLSearchParams({
        service,
        tags: JSON.stringify(tags),
        start: String((Date.now() - 3_600_000) * 1_000),
        end: String((Date.now() + 60_000) * 1_000),
        limit: "20",
      })
      const response = await fetch(`${queryUrl}/api/traces?${query}`, { signal: AbortSignal.timeout(5_000) })
      if (!response.ok)
        throw new Error(`jaeger /api/traces?${query}: ${response.status} ${await response.text()}`)
      const body = (await response.json()) as { data?: ReadonlyArray<{ traceID: string }> }
      return (body.data ?? []).map((t) => t.traceID)
    },
    process: () => managed,
    stop,
  }
}
