import { randomBytes } from "node:crypto"
import { eventually, type ReceivedSpan, signUp } from "@todo/testkit"
import { type Jaeger, startJaeger } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, expect, it } from "vitest"
import { daprTools, describeDapr, report, sharedStack } from "./support.ts"

/**
 * One trace from `POST /api/tasks` to the agent's suggestion insert, across the outbox, both real daprd sidecars
 * (each exporting its own spans over OTLP/HTTP, as the chart's tracing Configuration makes them) and two processes,
 * as a real Jaeger (v2, in-memory storage) stores it and its query API (the one its UI reads) returns it.
 */
describeDapr("one trace through the real sidecars, in Jaeger", () => {
  let jaeger: Jaeger
  beforeAll(async () => {
    jaeger = await startJaeger({ binary: daprTools()!.jaeger! })
  }, 60_000)
  const shared = sharedStack({
    get sidecarTracing() {
      return jaeger.otlpAddress
    },
    get env() {
      return { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, DEPLOYMENT_ENVIRONMENT: "test" }
    },
  })
  afterAll(async () => {
    await jaeger?.stop()
  })

  it("links the API's span, the outbox, both sidecars' spans, the agent's delivery and the suggestion insert", async () => {
    const { stack } = shared
    const { token } = await signUp(stack.api.url)
    const traceId = randomBytes(16).toString("hex")
    const callerSpan = randomBytes(8).toString("hex")
    const started = Date.now()
    const created = await fetch(`${stack.api.url}/api/tasks`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        traceparent: `00-${traceId}-${callerSpan}-01`,
        "x-correlation-id": "trace-corr-1",
      },
      body: JSON.stringify({ title: "Traced", dueDate: new Date(Date.now() - 3_600_000).toISOString() }),
    })
    expect(created.status).toBe(201)

    // The last answer of Jaeger's query API for the trace.
    let stored: ReadonlyArray<ReceivedSpan> = []
    const spans = () => stored
    const byName = (name: string) => spans().filter((s) => s.name === name)
    const describe = () =>
      spans()
        .map((s) => `${s.service}:${s.name}(${s.spanId}<-${s.parentSpanId})`)
        .join("\n")
    // daprd reports under its app-id; its spans are named after the Dapr API route (/v1.0/...) or pubsub/<topic>,
    // which our services never use.
    const fromSidecar = (service: string) =>
      spans().filter(
        (s) => s.service === service && (s.name.startsWith("/v1.0/") || s.name.startsWith("pubsub/")),
      )
    const under = (ancestor: string, spanId: string | undefined): boolean => {
      const span = spans().find((s) => s.spanId === spanId)
      return span !== undefined && (span.spanId === ancestor || under(ancestor, span.parentSpanId))
    }
    await eventually(
      async () => {
        stored = await jaeger.trace(traceId)
        return byName("SuggestionRepo.insertPendingMany").length > 0 &&
          byName("POST /api/tasks").length > 0 &&
          fromSidecar("todo-api").length > 0 &&
          fromSidecar("todo-agent").length > 0
          ? true
          : undefined
      },
      { timeoutMs: 20_000, intervalMs: 200, what: `the whole trace ${traceId} in Jaeger` },
    ).catch((e) => {
      throw new Error(`${String(e)}:\n${describe()}`)
    })
    const tookMs = Date.now() - started
    const one = (name: string) => {
      const found = byName(name)
      expect(found, `span ${name} in trace ${traceId}:\n${describe()}`).toHaveLength(1)
      return found[0]!
    }

    // The API: the server span continues the caller's context; the relay's publish continues the outbox row's.
    const server = one("POST /api/tasks")
    expect(server).toMatchObject({ service: "todo-api", kind: 2, parentSpanId: callerSpan })
    const append = byName("Outbox.append").find(
      (s) => s.service === "todo-api" && under(server.spanId, s.spanId),
    )!
    expect(append).toBeDefined()
    const publish = byName("outbox.publish").find((s) => s.parentSpanId === append.spanId)!
    expect(publish).toMatchObject({ service: "todo-api", kind: 4 })
    const publishCall = spans().find(
      (s) =>
        s.kind === 3 &&
        s.service === "todo-api" &&
        s.attributes["dapr.api"] === undefined &&
        under(publish.spanId, s.spanId),
    )
    expect(publishCall, "the HTTP call to the sidecar").toBeDefined()

    // The api's daprd: its span for the publish request is a child of the app's call.
    const apiSide = fromSidecar("todo-api").find((s) => s.parentSpanId === publishCall!.spanId)
    expect(apiSide, describe()).toBeDefined()
    expect(apiSide!.name).toBe("/v1.0/publish/pubsub-kafka/tasks-lifecycle")
    // The agent's daprd continues the envelope's context (the api sidecar's span) ...
    const agentSide = fromSidecar("todo-agent").find((s) => s.parentSpanId === apiSide!.spanId)
    expect(agentSide, describe()).toBeDefined()
    expect(agentSide!.name).toBe("pubsub/tasks-lifecycle")
    // ... and the agent's server span continues the delivery's traceparent, under the agent sidecar's span.
    const deliver = one("deliver tasks.created")
    const delivery = spans().find((s) => s.spanId === deliver.parentSpanId)!
    expect(delivery).toMatchObject({ name: "POST /events/tasks-lifecycle", service: "todo-agent", kind: 2 })
    expect(delivery.parentSpanId).toBe(agentSide!.spanId)
    const handler = one("handler OverdueAgent.onTaskCreated")
    expect(under(deliver.spanId, handler.spanId)).toBe(true)
    expect(byName("SuggestionRepo.insertPendingMany").some((s) => under(handler.spanId, s.spanId))).toBe(true)

    // One tree: every span Jaeger holds for the trace descends from the API's server span.
    const orphans = spans().filter((s) => !under(server.spanId, s.spanId))
    expect(
      orphans.map((s) => `${s.service}:${s.name}`),
      describe(),
    ).toEqual([])

    // The way docs/observability.md finds a task's trace from its correlation id: the UI's search by tag.
    expect(await jaeger.findTraces("todo-api", { "correlation.id": "trace-corr-1" })).toEqual([traceId])

    // Both services' request log lines carry the trace id.
    const logLine = (output: string, route: string) =>
      output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.route === route && l.traceId === traceId)
    expect(logLine(stack.api.output(), "POST /api/tasks")).toMatchObject({
      correlationId: "trace-corr-1",
      status: 201,
    })
    expect(logLine(stack.agent.output(), "POST /events/tasks-lifecycle")).toBeDefined()
    report("one trace", {
      spans: spans().length,
      "sidecar spans (api, agent)": `${fromSidecar("todo-api").length}, ${fromSidecar("todo-agent").length}`,
      "complete in ms": tookMs,
    })
  })
})
