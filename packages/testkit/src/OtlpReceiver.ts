import { createServer, type IncomingMessage } from "node:http"
import { gunzipSync } from "node:zlib"
import { decodeTraceRequest } from "./OtlpProtobuf.ts"

/** One span as an OTLP/HTTP JSON exporter sent it, flattened with its service name. */
export interface ReceivedSpan {
  readonly service: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
}

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}
interface OtlpAttribute {
  key: string
  value: OtlpValue
}
interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<OtlpAttribute> }
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string
        spanId: string
        parentSpanId?: string
        name: string
        kind: number
        attributes?: Array<OtlpAttribute>
      }>
    }>
  }>
}

const otlpValue = (v: OtlpValue) =>
  v.stringValue ?? v.boolValue ?? v.doubleValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined)
const attributes = (list: Array<OtlpAttribute> | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, otlpValue(a.value)]))

/** OTLP/JSON ids are hex; some exporters send base64. Normalise to lower-case hex. */
const hexId = (id: string | undefined) =>
  id === undefined || id === ""
    ? undefined
    : /^[0-9a-f]+$/i.test(id)
      ? id.toLowerCase()
      : Buffer.from(id, "base64").toString("hex")

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

/**
 * An OTLP/HTTP trace receiver for tests (`POST /v1/traces`, JSON or protobuf, optionally gzip): what Jaeger's collector would
 * receive, kept in memory for assertions on trace ids and parent links.
 */
export const startOtlpReceiver = async () => {
  const spans: Array<ReceivedSpan> = []
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.startsWith("/v1/traces")) {
      res.writeHead(404).end()
      return
    }
    try {
      let body = await readBody(req)
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body)
      // Our services export OTLP/JSON; daprd exports protobuf.
      const traces = (
        String(req.headers["content-type"]).startsWith("application/x-protobuf")
          ? decodeTraceRequest(body)
          : JSON.parse(body.toString("utf8"))
      ) as OtlpTraces
      for (const rs of traces.resourceSpans ?? []) {
        const service = String(attributes(rs.resource?.attributes)["service.name"] ?? "")
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              service,
              traceId: hexId(s.traceId)!,
              spanId: hexId(s.spanId)!,
              parentSpanId: hexId(s.parentSpanId),
              name: s.name,
              kind: s.kind,
              attributes: attributes(s.attributes),
            })
          }
        }
      }
      // An empty ExportTraceServiceResponse in the request's own encoding.
      if (String(req.headers["content-type"]).startsWith("application/x-protobuf"))
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end()
      else res.writeHead(200, { "content-type": "application/json" }).end("{}")
    } catch {
      res.writeHead(400).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    /** The base URL for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
    url: `http://127.0.0.1:${port}`,
    spans: (): ReadonlyArray<ReceivedSpan> => spans,
    trace: (traceId: string) => spans.filter((s) => s.traceId === traceId),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
export type OtlpReceiver = Awaited<ReturnType<typeof startOtlpReceiver>>
