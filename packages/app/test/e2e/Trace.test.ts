import { randomBytes } from "node:crypto"
import { eventually, type OtlpReceiver, type ServiceProcess, signUp, startOtlpReceiver } from "@todo/testkit"
import type { DaprMesh } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Deployed, startDeployed } from "../support/Deployed.ts"
/**
 * One trace from the user's request to the agent's suggestion insert, across the outbox, both (simulated) Dapr
 * sidecars and two processes, as Jaeger would receive it over OTLP.
 */
describe("one trace from HTTP request through the sidecars to the agent", () => {
  let deployed: Deployed
  let otlp: OtlpReceiver
  let api: ServiceProcess
  let agent: ServiceProcess
  let mesh: DaprMesh

  beforeAll(async () => {
    otlp = await startOtlpReceiver()
    deployed = await startDeployed({
      sidecars: { tracing: true },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, DEPLOYMENT_ENVIRONMENT: "test" },
    })
    ;({ api, agent, mesh } = deployed)
  }, 60_000)

  afterAll(async () => {
    await deployed?.stop()
    await otlp?.close()
  })

  it("links the API's span, the outbox, both sidecars, the agent's delivery and the suggestion insert", async () => {
    const { token } = await signUp(api.url)
    const traceId = randomBytes(16).toString("hex")
    const callerSpan = randomBytes(8).toString("hex")
    // A caller that is itself traced: its traceparent is honoured.
    const created = await fetch(`${api.url}/api/tasks`, {
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

    const byName = (name: string) => otlp.trace(traceId).filter((s) => s.name === name)
    const one = (name: string) => {
      const found = byName(name)
      expect(
        found,
        `span ${name} in trace ${traceId}: ${otlp
          .trace(traceId)
          .map((s) => s.name)
          .join(", ")}`,
      ).toHaveLength(1)
      return found[0]!
    }
    await eventually(
      async () =>
        byName("SuggestionRepo.insertPendingMany").length > 0 && byName("POST /api/tasks").length > 0
          ? true
          : undefined,
      {
        timeoutMs: 10_000,
        what: `the agent's suggestion insert in trace ${traceId}\n${agent.output().slice(-3000)}`,
      },
    )

    // The API: the server span continues the caller's context and is named by route.
    const server = one("POST /api/tasks")
    expect(server).toMatchObject({ service: "todo-api", kind: 2, parentSpanId: callerSpan })
    expect(server.attributes["correlation.id"]).toBe("trace-corr-1")
    const spans = otlp.trace(traceId)
    const under = (ancestor: string, spanId: string | undefined): boolean => {
      const span = spans.find((s) => s.spanId === spanId)
      return span !== undefined && (span.spanId === ancestor || under(ancestor, span.parentSpanId))
    }
    // The request's own outbox write (the agent later writes tasks.overdue into the same trace, too).
    const append = byName("Outbox.append").find(
      (s) => s.service === "todo-api" && under(server.spanId, s.spanId),
    )!
    expect(append).toBeDefined()
    // The relay's publish continues the trace stored with the outbox row.
    const publish = byName("outbox.publish").find((s) => s.parentSpanId === append.spanId)!
    expect(publish).toMatchObject({ service: "todo-api", kind: 4 })
    const publishCall = spans.find(
      (s) => s.kind === 3 && s.service === "todo-api" && under(publish.spanId, s.spanId),
    )
    expect(publishCall, "the HTTP call to the sidecar").toBeDefined()

    // The sidecars: the API's sidecar continues the publish call, the agent's sidecar the envelope.
    const apiSide = mesh
      .sidecarSpans()
      .find((s) => s.appId === "todo-api" && s.parentSpanId === publishCall!.spanId)
    expect(apiSide?.traceId).toBe(traceId)
    const agentSide = mesh
      .sidecarSpans()
      .find((s) => s.appId === "todo-agent" && s.parentSpanId === apiSide?.spanId)
    expect(agentSide?.traceId).toBe(traceId)

    // The agent: its server span continues the delivery's traceparent; delivery, handler and insert nest below.
    const deliver = one("deliver tasks.created")
    const delivery = spans.find((s) => s.spanId === deliver.parentSpanId)!
    expect(delivery).toMatchObject({ name: "POST /events/tasks-lifecycle", service: "todo-agent", kind: 2 })
    expect(delivery.parentSpanId).toBe(agentSide!.spanId)
    expect(deliver.kind).toBe(5)
    const handler = one("handler OverdueAgent.onTaskCreated")
    expect(under(deliver.spanId, handler.spanId)).toBe(true)
    expect(byName("SuggestionRepo.insertPendingMany").some((s) => under(handler.spanId, s.spanId))).toBe(true)

    // The API's request log line carries the same trace and correlation ids.
    const line = api
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.route === "POST /api/tasks")
    expect(line).toMatchObject({ traceId, correlationId: "trace-corr-1", status: 201, service: "todo-api" })
    expect(server.attributes["http.response.status_code"]).toBe(201)
  })
})
