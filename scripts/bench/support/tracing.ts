// What the two tracing benchmarks share: their modes and the collector they export to.
import { createServer } from "node:http"
import { countTraceRequestSpans } from "../../../packages/testkit/src/OtlpProtobuf.ts"
import { assignments } from "./args.ts"

// A collector that counts spans and drops them. The testkit's receiver parses and keeps every span for assertions;
// on this 2-core machine that work (and its heap) would compete with the API for CPU and count against tracing,
// while a real collector runs elsewhere.
export const startSpanSink = () =>
  new Promise<{ url: string; spans: () => number; close: () => Promise<void> }>((resolve) => {
    let spans = 0
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const body = Buffer.concat(chunks)
        // OTLP/HTTP in either encoding, answered in the same one.
        if (String(req.headers["content-type"]).startsWith("application/x-protobuf")) {
          spans += countTraceRequestSpans(body)
          res.writeHead(200, { "content-type": "application/x-protobuf" }).end()
          return
        }
        const text = body.toString("utf8")
        for (let at = text.indexOf('"spanId"'); at !== -1; at = text.indexOf('"spanId"', at + 8)) spans++
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        spans: () => spans,
        close: () => new Promise((done) => server.close(() => done())),
      })
    })
  })

/**
 * `BENCH_MODES`: comma-separated modes, each a label with optional environment settings for the service,
 * `label:NAME=value+NAME=value`; `off` runs without an exporter, every other label with one.
 */
export const tracingModes = (spec: string) =>
  spec.split(",").map((mode) => {
    // Split at the first colon only: a setting's value may hold one (an endpoint's URL).
    const colon = mode.indexOf(":")
    const label = colon === -1 ? mode : mode.slice(0, colon)
    const settings = colon === -1 ? "" : mode.slice(colon + 1)
    return { label, tracing: label !== "off", env: assignments(settings.split("+")) }
  })
