import { describe, expect, it } from "vitest"
import { httpCall } from "../../src/dapr/SidecarHttp.ts"
import type { Answer } from "./helpers/FakeApp.ts"
import {
  EVENT_8A,
  eventId,
  FAST,
  harness,
  header,
  SUBSCRIPTION_8C,
  TRACEPARENT_8A,
} from "./helpers/Harness.ts"

const h = harness()
const TOPIC = "tasks-lifecycle"
const DLQ = "tasks-lifecycle-dlq"

/** API (publish-only) + agent subscribed per §8c, with its app answering by CloudEvent id. */
const setup = async (
  answers: (id: string, attempt: number) => Answer | "destroy" = () => ({ status: 200 }),
  agentOptions = {},
) => {
  const mesh = h.mesh()
  const counts = new Map<string, number>()
  const app = await h.app({
    subscriptions: [...SUBSCRIPTION_8C, { pubsubname: "pubsub-kafka", topic: DLQ, route: "/dlq" }],
    handler: (req) => {
      if (req.url === "/dlq") return { status: 200 } // the DLQ consumer always succeeds
      const id = eventId(req)
      const n = (counts.get(id) ?? 0) + 1
      counts.set(id, n)
      return answers(id, n)
    },
  })
  const api = await mesh.addSidecar({ appId: "todo-api" })
  const agent = await mesh.addSidecar({
    appId: "todo-agent",
    appPort: app.port,
    resiliency: FAST,
    ...agentOptions,
  })
  return { mesh, app, api, agent }
}

const publish = (
  api: { publish: (t: string, d: unknown, o: object) => Promise<{ status: number }> },
  id: string,
  key = "user-42",
  type = "tasks.created",
) =>
  api.publish(
    TOPIC,
    { id },
    { metadata: { partitionKey: key, "cloudevent.id": id, "cloudevent.type": type } },
  )

describe("delivery to the app (DAPR.md §2, §8b)", () => {
  it("§8b: the agent receives the exact envelope bytes with every header", async () => {
    const { mesh, app, api } = await setup()
    const path =
      "/v1.0/publish/pubsub-kafka/tasks-lifecycle?metadata.partitionKey=user-42&metadata.cloudevent.id=evt-7f3c&metadata.cloudevent.type=tasks.created"
    const res = await httpCall(
      `${api.url}${path}`,
      "POST",
      { "Content-Type": "application/json", traceparent: TRACEPARENT_8A },
      Buffer.from(JSON.stringify(EVENT_8A)),
    )
    expect(res.status).toBe(204)
    await mesh.waitFor(() => app.deliveries().length === 1)
    const [req] = app.deliveries()
    const [record] = mesh.published(TOPIC)
    if (req === undefined || record === undefined) throw new Error("missing delivery")
    expect(req.method).toBe("POST")
    expect(req.url).toBe("/events/tasks-lifecycle")
    expect(req.body.equals(record.value)).toBe(true)
    expect(header(req, "content-type")).toBe("application/cloudevents+json")
    expect(header(req, "traceparent")).toBe(TRACEPARENT_8A)
    expect(header(req, "tracestate")).toBeUndefined()
    expect(header(req, "pubsubname")).toBe("pubsub-kafka")
    expect(header(req, "__key")).toBe("user-42")
    expect(header(req, "__topic")).toBe(TOPIC)
    expect(header(req, "__partition")).toBe(String(record.partition))
    expect(header(req, "__offset")).toBe("0")
    expect(header(req, "__timestamp")).toBe(String(record.timestamp))
    expect(header(req, "partitionkey")).toBe("user-42")
    expect(header(req, "cloudevent.id")).toBe("evt-7f3c")
    expect(header(req, "cloudevent.type")).toBe("tasks.created")
    expect(header(req, "dapr-api-token")).toBeUndefined()
    expect(req.rawHeaders).toContain("Partitionkey") // Go's canonical header name on the wire
    const body = req.body.toString("utf8")
    const ce = JSON.parse(body) as Record<string, unknown>
    expect(Object.keys(ce)).toEqual([...Object.keys(ce)].sort())
    expect(ce).toMatchObject({
      data: EVENT_8A,
      id: "evt-7f3c",
      type: "tasks.created",
      source: "todo-api",
      topic: TOPIC,
    })
    expect(ce.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(mesh.results()).toMatchObject([
      { appId: "todo-agent", result: "acked", reason: "success", attempts: 1, cloudEventId: "evt-7f3c" },
    ])
  })

  it("routes by CEL rule, falling back to the default route", async () => {
    const { mesh, app, api } = await setup()
    await publish(api, "e1", "u", "tasks.deleted")
    await publish(api, "e2", "u", "tasks.updated")
    await mesh.waitFor(() => app.deliveries().length === 2)
    expect(app.deliveries().map((r) => [r.url, eventId(r)])).toEqual([
      ["/events/tasks-deleted", "e1"],
      ["/events/tasks-lifecycle", "e2"],
    ])
  })

  it("maps each app answer of the §2 table to the right outcome", async () => {
    const cases: Record<string, Answer | "destroy"> = {
      empty200: { status: 200 },
      noContent: { status: 204 },
      garbage: { status: 200, body: "<html>ok</html>" },
      noStatus: { status: 200, body: '{"ok":true}' },
      success: { status: 200, body: '{"status":"SUCCESS"}' },
      retry: { status: 200, body: '{"status":"RETRY"}' },
      unknown: { status: 200, body: '{"status":"MAYBE"}' },
      drop: { status: 200, body: '{"status":"DROP"}' },
      notFound: { status: 404, body: '{"status":"SUCCESS"}' },
      badRequest: { status: 400 },
      conflict: { status: 409 },
      unprocessable: { status: 422 },
      serverError: { status: 500 },
      unavailable: { status: 503 },
      reset: "destroy",
    }
    const { mesh, api } = await setup((id) => cases[id] ?? { status: 200 }, {
      resiliency: { maxRetries: 0, intervalMs: 1 },
    })
    let i = 0
    for (const id of Object.keys(cases)) await publish(api, id, `user-${i++}`)
    await mesh.waitForIdle()
    const outcome = (id: string) => {
      const attempts = mesh.attempts({ appId: "todo-agent", cloudEventId: id, topic: TOPIC })
      const [result] = mesh.results({ appId: "todo-agent", cloudEventId: id, topic: TOPIC })
      return [attempts.map((a) => a.outcome).join(","), result?.result, result?.reason]
    }
    const acked = ["success", "acked", "success"]
    const retried = ["retry", "dead-lettered", "retries-exhausted"]
    const dropped = ["drop", "dead-lettered", "app-drop"]
    expect(Object.fromEntries(Object.keys(cases).map((id) => [id, outcome(id)]))).toEqual({
      empty200: acked,
      noContent: acked,
      garbage: acked,
      noStatus: acked,
      success: acked,
      retry: retried,
      unknown: retried,
      drop: dropped,
      notFound: dropped,
      badRequest: retried,
      conflict: retried,
      unprocessable: retried,
      serverError: retried,
      unavailable: retried,
      reset: ["error", "dead-lettered", "retries-exhausted"],
    })
  })

  it("retries 1 + maxRetries times, intervalMs apart, then dead-letters the original bytes and metadata", async () => {
    const { mesh, app, api } = await setup((id) => (id === "poison" ? { status: 500 } : { status: 200 }))
    await publish(api, "poison")
    await mesh.waitFor(() => app.deliveries("/dlq").length === 1)
    const attempts = mesh.attempts({ appId: "todo-agent", cloudEventId: "poison", topic: TOPIC })
    expect(attempts.map((a) => [a.round, a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 1, "retry", 500],
      [1, 2, "retry", 500],
      [1, 3, "retry", 500],
      [1, 4, "retry", 500],
    ])
    for (let k = 1; k < attempts.length; k++) {
      expect(
        (attempts[k]?.at ?? 0) - ((attempts[k - 1]?.at ?? 0) + (attempts[k - 1]?.durationMs ?? 0)),
      ).toBeGreaterThanOrEqual(FAST.intervalMs - 2)
    }
    const [original] = mesh.published(TOPIC)
    const [dead] = mesh.published(DLQ)
    if (original === undefined || dead === undefined) throw new Error("missing records")
    expect(dead.value.equals(original.value)).toBe(true)
    expect(dead.key).toBe(original.key)
    expect(dead.headers).toEqual({
      ...original.headers,
      __key: "user-42",
      __topic: TOPIC,
      __partition: String(original.partition),
      __offset: String(original.offset),
      __timestamp: String(original.timestamp),
      pubsubName: "pubsub-kafka",
    })
    expect(mesh.deadLetters()).toMatchObject([
      { cloudEventId: "poison", reason: "retries-exhausted", deadLetterTopic: DLQ, attempts: 4 },
    ])
    // On DLQ delivery the coordinates are those of the original record; the body and id are unchanged.
    const [dlqReq] = app.deliveries("/dlq")
    if (dlqReq === undefined) throw new Error("no DLQ delivery")
    expect(dlqReq.body.equals(original.value)).toBe(true)
    expect(eventId(dlqReq)).toBe("poison")
    expect(header(dlqReq, "__topic")).toBe(TOPIC)
    expect(header(dlqReq, "__partition")).toBe(String(original.partition))
    expect(header(dlqReq, "__offset")).toBe(String(original.offset))
    expect(header(dlqReq, "__timestamp")).toBe(String(original.timestamp))
    expect(header(dlqReq, "__key")).toBe("user-42")
  })

  it("DROP and 404 go straight to the DLQ without retries", async () => {
    const { mesh, api } = await setup((id) =>
      id === "drop" ? { status: 200, body: '{"status":"DROP"}' } : { status: 404 },
    )
    await publish(api, "drop")
    await publish(api, "gone")
    await mesh.waitFor(() => mesh.published(DLQ).length === 2)
    expect(mesh.attempts({ topic: TOPIC }).map((a) => [a.cloudEventId, a.outcome])).toEqual([
      ["drop", "drop"],
      ["gone", "drop"],
    ])
    expect(mesh.deadLetters({ topic: TOPIC }).map((r) => [r.cloudEventId, r.reason])).toEqual([
      ["drop", "app-drop"],
      ["gone", "app-drop"],
    ])
  })

  it("without a DLQ keeps re-running the handler (retries included) and blocks the partition", async () => {
    const mesh = h.mesh()
    const app = await h.app({
      subscriptions: [{ pubsubname: "pubsub-kafka", topic: TOPIC, route: "/events" }],
      handler: (req) => (eventId(req) === "poison" ? { status: 503 } : { status: 200 }),
    })
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const agent = await mesh.addSidecar({
      appId: "todo-agent",
      appPort: app.port,
      resiliency: { maxRetries: 1, intervalMs: 5 },
      redeliveryBackoffMs: 10,
    })
    await publish(api, "poison", "same-user")
    await publish(api, "next", "same-user")
    await mesh.waitFor(() => mesh.attempts({ cloudEventId: "poison" }).length >= 7)
    const rounds = mesh.attempts({ cloudEventId: "poison" }).map((a) => [a.round, a.attempt])
    expect(rounds.slice(0, 6)).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [3, 1],
      [3, 2],
    ])
    expect(app.deliveries().filter((r) => eventId(r) === "next")).toEqual([])
    expect(mesh.published("tasks-lifecycle-dlq")).toEqual([])
    await agent.stop()
    expect(mesh.results({ cloudEventId: "poison" })).toMatchObject([
      { result: "abandoned", reason: "sidecar-stopped" },
    ])
  })

  it("no resiliency policy ⇒ a single attempt per round (then DLQ)", async () => {
    const { mesh } = await setup((id) => (id === "x" ? { status: 500 } : { status: 200 }), {
      resiliency: false,
    })
    await publish(mesh.sidecar("todo-api"), "x")
    await mesh.waitFor(() => mesh.deadLetters({ cloudEventId: "x", topic: TOPIC }).length === 1)
    expect(mesh.attempts({ cloudEventId: "x", topic: TOPIC })).toHaveLength(1)
  })

  it("per-attempt timeout gives up on the attempt and retries while the app still works", async () => {
    const { mesh, app, api } = await setup(() => ({ status: 200, delayMs: 150 }), {
      resiliency: { maxRetries: 1, intervalMs: 5, timeoutMs: 40 },
    })
    await publish(api, "slow")
    await mesh.waitFor(() => mesh.deadLetters({ cloudEventId: "slow", topic: TOPIC }).length === 1)
    expect(mesh.attempts({ cloudEventId: "slow", topic: TOPIC }).map((a) => a.outcome)).toEqual([
      "timeout",
      "timeout",
    ])
    expect(app.deliveries("/events/tasks-lifecycle")).toHaveLength(2)
  })

  it("sends the app API token on /dapr/subscribe, /dapr/config and deliveries", async () => {
    const { mesh, app, api } = await setup(undefined, { appApiToken: "app-token" })
    await publish(api, "e1")
    await mesh.waitFor(() => app.deliveries().length === 1)
    expect(app.requests.map((r) => [r.method, r.url, header(r, "dapr-api-token")])).toEqual([
      ["GET", "/dapr/subscribe", "app-token"],
      ["GET", "/dapr/config", "app-token"],
      ["POST", "/events/tasks-lifecycle", "app-token"],
    ])
  })

  it("expired events (TTL) and events without a matching route are acked without delivery, DLQ'd when set", async () => {
    const mesh = h.mesh()
    const app = await h.app({
      subscriptions: [
        {
          pubsubname: "pubsub-kafka",
          topic: TOPIC,
          routes: { rules: [{ match: 'event.type == "only.this"', path: "/x" }] },
          deadLetterTopic: DLQ,
        },
        { pubsubname: "pubsub-kafka", topic: "other", route: "/other" },
      ],
    })
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const agent = await mesh.addSidecar({ appId: "todo-agent", appPort: app.port, resiliency: FAST })
    agent.pause()
    await api.publish(
      TOPIC,
      {},
      { metadata: { "cloudevent.id": "expired", "cloudevent.type": "only.this", ttl: "1ms" } },
    )
    await api.publish(TOPIC, {}, { metadata: { "cloudevent.id": "unrouted", "cloudevent.type": "other" } })
    await api.publish("other", {}, { metadata: { "cloudevent.id": "expired-no-dlq", ttl: "1ms" } })
    await mesh.waitFor(
      () =>
        Date.now() >
        Date.parse(String(JSON.parse(mesh.published("other")[0]?.value.toString() ?? "{}").expiration)),
    )
    agent.resume()
    await mesh.waitForIdle()
    expect(app.deliveries()).toEqual([])
    expect(mesh.results().map((r) => [r.cloudEventId, r.result, r.reason])).toEqual([
      ["expired", "dead-lettered", "expired"],
      ["unrouted", "dead-lettered", "no-route"],
      ["expired-no-dlq", "dropped", "expired"],
    ])
  })
})
