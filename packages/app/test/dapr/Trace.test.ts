import { randomBytes } from "node:crypto"
import { eventually, type ReceivedSpan, signUp } from "@todo/testkit"
import { type Jaeger, startJaeger } from "@todo/testkit/dapr"
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
        // A span is exported when it ends, so children reach Jaeger before their parents (the agent's delivery
        // span ends after the suggestion's insert, often in the exporter's next batch): wait for the whole tree,
        // every span's parent present, not only for the leaves.
        const ids = new Set(spans().map((s) => s.spanId))
        const complete = spans().every((s) => s.parentSpanId === callerSpan || ids.has(s.parentSpanId ?? ""))
        return complete &&
          byName("SuggestionRepo.insertPendingMany").length > 0 &&
          byName("POST /api/tasks").length > 0 &&
          byName("deliver tasks.created").length > 0 &&
          byName("POST /events/tasks-lifecycle").length > 0 &&
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

    // The trace holds two events, each with its own publish: tasks.created, and the tasks.overdue the overdue agent
    // writes on seeing it (relayed like any outbox row). So the chain is walked back from the agent's delivery of
    // tasks.created to the request: each hop's span is a child of the one before it.
    const server = one("POST /api/tasks")
    expect(server).toMatchObject({ service: "todo-api", kind: 2, parentSpanId: callerSpan })
    const parentOf = (span: ReceivedSpan) => spans().find((s) => s.spanId === span.parentSpanId)
    // The agent's server span continues the delivery's traceparent, under the agent sidecar's span ...
    const deliver = one("deliver tasks.created")
    const delivery = parentOf(deliver)!
    expect(delivery).toMatchObject({ name: "POST /events/tasks-lifecycle", service: "todo-agent", kind: 2 })
    const agentSide = parentOf(delivery)
    expect(agentSide, describe()).toMatchObject({ service: "todo-agent", name: "pubsub/tasks-lifecycle" })
    // ... which continues the envelope's context: the api sidecar's span for the publish request ...
    const apiSide = parentOf(agentSide!)
    expect(apiSide, describe()).toMatchObject({
      service: "todo-api",
      name: "/v1.0/publish/pubsub-kafka/tasks-lifecycle",
    })
    // ... a child of the app's HTTP call to its sidecar, made by the relay's publish of the outbox row, whose
    // span continues the context the row was appended under, in the request.
    const publishCall = parentOf(apiSide!)
    expect(publishCall, describe()).toMatchObject({ service: "todo-api", kind: 3 })
    const publish = spans().find((s) => s.name === "outbox.publish" && under(s.spanId, publishCall!.spanId))
    expect(publish, describe()).toMatchObject({ service: "todo-api", kind: 4 })
    const append = parentOf(publish!)
    expect(append, describe()).toMatchObject({
      service: "todo-api",
      name: expect.stringMatching(/^Outbox\.append/),
    })
    expect(under(server.spanId, append!.spanId)).toBe(true)
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
