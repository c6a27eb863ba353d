// Measures what `@dapr/dapr` (the JavaScript SDK) does against a real daprd 1.18.0 and kfake, for the decision in
// docs/architecture.md ("@dapr/dapr: measured, not used"). The SDK is not a dependency of the project:
//   npm install --no-save @dapr/dapr@3.18.0 && node scripts/dapr-sdk-eval.ts
// daprd and kfake come from scripts/go-tools.sh (built if missing).
import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startOtlpReceiver } from "../packages/testkit/src/OtlpReceiver.ts"
import {
  ensureGoTools,
  renderDaprResources,
  startDaprd,
  startKfake,
} from "../packages/testkit/src/dapr/index.ts"

interface Client {
  start(): Promise<void>
  pubsub: {
    publish(pubsub: string, topic: string, data: object, options?: { metadata?: object }): Promise<unknown>
  }
}
interface Sdk {
  DaprClient: new (options: object) => Client
  CommunicationProtocolEnum: { HTTP: unknown }
}
const sdkName = "@dapr/dapr"
const sdk = (await import(sdkName).catch(() => {
  process.stderr.write("install it first: npm install --no-save @dapr/dapr@3.18.0\n")
  process.exit(1)
})) as Sdk

const found = ensureGoTools()
if (!("tools" in found)) throw new Error(found.skip)
const { tools } = found
const dir = mkdtempSync(join(tmpdir(), "sdk-eval-"))
const otlp = await startOtlpReceiver()
const kfake = await startKfake({ binary: tools.kfake, dataDir: join(dir, "kfake") })
const resources = renderDaprResources({
  helm: tools.helm,
  dir,
  kafka: { brokers: kfake.brokers, username: kfake.username, password: kfake.password },
  tracingEndpoint: new URL(otlp.url).host,
})
// A subscriber recording what its sidecar delivers.
const delivered: Array<{ headers: Record<string, unknown>; body: string }> = []
const app = createServer((req, res) => {
  let body = ""
  req.on("data", (c) => {
    body += c
  })
  req.on("end", () => {
    if (req.url === "/dapr/subscribe")
      return void res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify([
          {
            pubsubname: "pubsub-kafka",
            topic: "tasks-lifecycle",
            routes: { default: "/events/tasks-lifecycle" },
          },
        ]),
      )
    if (req.url?.startsWith("/events")) delivered.push({ headers: req.headers, body })
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"SUCCESS"}')
  })
})
await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve))
const agentSide = await startDaprd({
  binary: tools.daprd,
  appId: "todo-agent",
  resources,
  appPort: (app.address() as AddressInfo).port,
})
const apiSide = await startDaprd({
  binary: tools.daprd,
  appId: "todo-api",
  resources,
  daprApiToken: "eval-token",
})
const client = (port: number) =>
  new sdk.DaprClient({
    daprHost: "127.0.0.1",
    daprPort: String(port),
    communicationProtocol: sdk.CommunicationProtocolEnum.HTTP,
    daprApiToken: "eval-token",
  })
const say = (what: string, value: unknown) => console.log(`${what}: ${JSON.stringify(value)}`)

const c = client(apiSide.httpPort)
await c.start()
const traceId = randomBytes(16).toString("hex")
const appSpan = randomBytes(8).toString("hex")
const ids = [randomUUID(), randomUUID(), randomUUID()]
for (const id of ids)
  say(
    "publish with metadata",
    await c.pubsub.publish(
      "pubsub-kafka",
      "tasks-lifecycle",
      { eventId: id },
      {
        metadata: {
          partitionKey: "user-1",
          "cloudevent.id": id,
          "cloudevent.type": "tasks.created",
          "cloudevent.traceparent": `00-${traceId}-${appSpan}-01`,
        },
      },
    ),
  )
say("topic not allowed (403)", await c.pubsub.publish("pubsub-kafka", "tasks-lifecycle-dlq", { a: 1 }))
say("unknown pub/sub (404)", await c.pubsub.publish("no-such-pubsub", "tasks-lifecycle", { a: 1 }))
// daprd exports spans every 5 s.
await new Promise((r) => setTimeout(r, 7_000))
for (const id of ids) {
  const d = delivered.find((x) => (JSON.parse(x.body) as { id: string }).id === id)
  const envelope = d ? (JSON.parse(d.body) as Record<string, unknown>) : undefined
  say("delivered", {
    id: envelope?.id,
    type: envelope?.type,
    partitionkey: d?.headers.partitionkey,
    envelopeTraceIsTheRequests: String(envelope?.traceparent).includes(traceId),
  })
}
const sidecarSpans = otlp
  .spans()
  .filter((s) => s.name.startsWith("/v1.0/publish/pubsub-kafka/tasks-lifecycle"))
say(
  "api daprd publish spans in the request's trace",
  `${sidecarSpans.filter((s) => s.traceId === traceId).length} of ${sidecarSpans.length}`,
)
const down = apiSide.httpPort
await apiSide.kill()
let t = performance.now()
say("publish with the sidecar down", await c.pubsub.publish("pubsub-kafka", "tasks-lifecycle", { a: 1 }))
say("  answered in ms", Math.round(performance.now() - t))
t = performance.now()
say(
  "start() with the sidecar down",
  await client(down)
    .start()
    .then(
      () => "started",
      (e: unknown) => String(e).slice(0, 80),
    ),
)
say("  gave up after ms", Math.round(performance.now() - t))
await agentSide.stop()
await kfake.stop()
await otlp.close()
app.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
