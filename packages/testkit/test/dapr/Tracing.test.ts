import { describe, expect, it } from "vitest"
import { EMPTY_TRACEPARENT, parseTraceparent } from "../../src/dapr/TraceParent.ts"
import { harness, header, TRACEPARENT_8A } from "./helpers/Harness.ts"

const h = harness()
const TOPIC = "tasks-lifecycle"

const setup = async (tracing: boolean) => {
  const mesh = h.mesh()
  const app = await h.app({ subscriptions: [{ pubsubname: "pubsub-kafka", topic: TOPIC, route: "/events" }] })
  const api = await mesh.addSidecar({ appId: "todo-api", tracing })
  await mesh.addSidecar({ appId: "todo-agent", appPort: app.port, tracing })
  return { mesh, app, api }
}

const envelopeTrace = (value: Buffer | undefined) => {
  const ce = JSON.parse(value?.toString("utf8") ?? "{}") as Record<string, string>
  return { traceid: ce.traceid, traceparent: ce.traceparent, tracestate: ce.tracestate }
}

describe("trace context (DAPR.md §1, §2, §6)", () => {
  it("tracing on: each sidecar mints a child span; the trace id survives end to end", async () => {
    const { mesh, app, api } = await setup(true)
    const res = await api.publish(
      TOPIC,
      {},
      { headers: { traceparent: TRACEPARENT_8A, tracestate: "congo=t61rcWkgMzE" } },
    )
    expect(res.status).toBe(204)
    const incoming = parseTraceparent(TRACEPARENT_8A)
    const apiSpan = parseTraceparent(String(res.headers.traceparent))
    expect(apiSpan?.traceId).toBe(incoming?.traceId)
    expect(apiSpan?.spanId).not.toBe(incoming?.spanId)
    expect(apiSpan?.sampled).toBe(true)

    const env = envelopeTrace(mesh.published(TOPIC)[0]?.value)
    expect(env).toEqual({
      traceid: res.headers.traceparent,
      traceparent: res.headers.traceparent,
      tracestate: "congo=t61rcWkgMzE",
    })

    await mesh.waitFor(() => app.deliveries().length === 1)
    const [req] = app.deliveries()
    if (req === undefined) throw new Error("no delivery")
    const delivered = parseTraceparent(header(req, "traceparent"))
    expect(delivered?.traceId).toBe(incoming?.traceId)
    expect(delivered?.spanId).not.toBe(apiSpan?.spanId)
    expect(delivered?.spanId).not.toBe(incoming?.spanId)
    expect(header(req, "tracestate")).toBe("congo=t61rcWkgMzE")
  })

  it("tracing on without incoming context: a new root trace, shared by publish and delivery", async () => {
    const { mesh, app, api } = await setup(true)
    const res = await api.publish(TOPIC, {})
    await mesh.waitFor(() => app.deliveries().length === 1)
    const root = parseTraceparent(String(res.headers.traceparent))
    expect(root).toBeDefined()
    const [req] = app.deliveries()
    expect(parseTraceparent(req === undefined ? undefined : header(req, "traceparent"))?.traceId).toBe(
      root?.traceId,
    )
  })

  it("tracing off: the incoming traceparent passes through unchanged to the envelope and the delivery", async () => {
    const { mesh, app, api } = await setup(false)
    const res = await api.publish(TOPIC, {}, { headers: { traceparent: TRACEPARENT_8A } })
    expect(res.headers.traceparent).toBeUndefined()
    expect(envelopeTrace(mesh.published(TOPIC)[0]?.value)).toEqual({
      traceid: TRACEPARENT_8A,
      traceparent: TRACEPARENT_8A,
      tracestate: "",
    })
    await mesh.waitFor(() => app.deliveries().length === 1)
    const [req] = app.deliveries()
    expect(req === undefined ? undefined : header(req, "traceparent")).toBe(TRACEPARENT_8A)
    expect(req === undefined ? "missing" : header(req, "tracestate")).toBeUndefined()
  })

  it("tracing off without any context: empty trace fields and the all-zero delivery header", async () => {
    const { mesh, app, api } = await setup(false)
    await api.publish(TOPIC, {})
    expect(envelopeTrace(mesh.published(TOPIC)[0]?.value)).toEqual({
      traceid: "",
      traceparent: "",
      tracestate: "",
    })
    await mesh.waitFor(() => app.deliveries().length === 1)
    const [req] = app.deliveries()
    expect(req === undefined ? undefined : header(req, "traceparent")).toBe(EMPTY_TRACEPARENT)
  })
})
