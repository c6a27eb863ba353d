import { describe, expect, it } from "vitest"
import { httpCall } from "../../src/dapr/SidecarHttp.ts"
import type { Answer } from "./helpers/FakeApp.ts"
import { eventId, FAST, harness } from "./helpers/Harness.ts"

const h = harness()
const TOPIC = "tasks-lifecycle"

const setup = async (answer: (id: string) => Answer = () => ({ status: 200 })) => {
  const mesh = h.mesh()
  const app = await h.app({
    subscriptions: [{ pubsubname: "pubsub-kafka", topic: TOPIC, route: "/events" }],
    handler: (req) => answer(eventId(req)),
  })
  const api = await mesh.addSidecar({ appId: "todo-api" })
  const agent = await mesh.addSidecar({ appId: "todo-agent", appPort: app.port, resiliency: FAST })
  const publish = (id: string, user = "user-1") =>
    api.publish(TOPIC, { id }, { metadata: { partitionKey: user, "cloudevent.id": id } })
  return { mesh, app, api, agent, publish }
}

describe("test controls", () => {
  it("pause() holds deliveries back, resume() delivers them in order", async () => {
    const { mesh, app, agent, publish } = await setup()
    agent.pause()
    for (const id of ["a", "b", "c"]) await publish(id)
    await mesh.waitForIdle()
    expect(app.deliveries()).toEqual([])
    agent.resume()
    await mesh.waitFor(() => app.deliveries().length === 3)
    expect(app.deliveries().map(eventId)).toEqual(["a", "b", "c"])
  })

  it("pausePartition() lets another user's later events overtake (out-of-order across partitions)", async () => {
    const { mesh, app, agent, publish } = await setup()
    agent.pausePartition(TOPIC, mesh.broker.partitionFor(TOPIC, "user-1"))
    await publish("u1-first", "user-1")
    await publish("u3-second", "user-3")
    await mesh.waitFor(() => app.deliveries().length === 1)
    agent.resumePartition(TOPIC, mesh.broker.partitionFor(TOPIC, "user-1"))
    await mesh.waitFor(() => app.deliveries().length === 2)
    expect(app.deliveries().map(eventId)).toEqual(["u3-second", "u1-first"])
  })

  it("stop()/restart(): the sidecar is down (connection refused), then back on the same port", async () => {
    const { mesh, api } = await setup()
    const port = api.port
    await api.stop()
    expect(api.running).toBe(false)
    await expect(httpCall(`http://127.0.0.1:${port}/v1.0/healthz`, "GET", {})).rejects.toThrow(/ECONNREFUSED/)
    await api.restart()
    expect(api.port).toBe(port)
    expect((await httpCall(`http://127.0.0.1:${port}/v1.0/healthz`, "GET", {})).status).toBe(204)
    expect((await api.publish(TOPIC, {})).status).toBe(204)
    expect(mesh.published(TOPIC)).toHaveLength(1)
  })

  it("stopping the subscriber mid-delivery abandons the attempt; after restart the record is redelivered (a duplicate)", async () => {
    const { mesh, app, agent, publish } = await setup(() => ({ status: 200, delayMs: 80 }))
    await publish("e1")
    await mesh.waitFor(() => app.deliveries().length === 1)
    await agent.stop()
    expect(mesh.results()).toMatchObject([{ cloudEventId: "e1", result: "abandoned" }])
    await agent.restart()
    await mesh.waitFor(() => mesh.results().some((r) => r.result === "acked"))
    expect(app.deliveries().map(eventId)).toEqual(["e1", "e1"])
    expect(app.requests.filter((r) => r.url === "/dapr/subscribe")).toHaveLength(2) // read once per start
  })

  it("duplicateDeliveries delivers every record twice, the second after the first is acked", async () => {
    const { mesh, app, agent, publish } = await setup()
    agent.duplicateDeliveries = true
    await publish("a")
    await publish("b")
    await mesh.waitFor(() => mesh.results().length === 4)
    expect(app.deliveries().map(eventId)).toEqual(["a", "a", "b", "b"])
    expect(mesh.results().map((r) => [r.cloudEventId, r.duplicate, r.result])).toEqual([
      ["a", false, "acked"],
      ["a", true, "acked"],
      ["b", false, "acked"],
      ["b", true, "acked"],
    ])
  })

  it("a failing dead-letter publish (broker down) keeps the record in redelivery until the broker is back", async () => {
    const mesh = h.mesh()
    const app = await h.app({
      subscriptions: [{ pubsubname: "pubsub-kafka", topic: TOPIC, route: "/events", deadLetterTopic: "dlq" }],
      handler: () => ({ status: 500 }),
    })
    const api = await mesh.addSidecar({ appId: "todo-api" })
    await mesh.addSidecar({
      appId: "todo-agent",
      appPort: app.port,
      resiliency: { maxRetries: 0, intervalMs: 1 },
      redeliveryBackoffMs: 10,
    })
    await api.publish(TOPIC, {}, { metadata: { "cloudevent.id": "e1" } })
    mesh.broker.setAvailable(false)
    await mesh.waitFor(() => mesh.attempts().length >= 3)
    expect(mesh.published("dlq")).toEqual([])
    mesh.broker.setAvailable(true)
    await mesh.waitFor(() => mesh.deadLetters().length === 1)
    expect(mesh.published("dlq")).toHaveLength(1)
  })

  it("POST /v1.0/shutdown answers 204 and stops the sidecar", async () => {
    const { mesh, api } = await setup()
    expect((await httpCall(`${api.url}/v1.0/shutdown`, "POST", {})).status).toBe(204)
    await mesh.waitFor(() => !api.running)
    await expect(httpCall(`${api.url}/v1.0/healthz`, "GET", {})).rejects.toThrow(/ECONNREFUSED/)
  })

  it("exposes app env, health and metadata for apps under test", async () => {
    const { agent } = await setup()
    expect(agent.env()).toEqual({
      DAPR_HTTP_PORT: String(agent.port),
      DAPR_HTTP_ENDPOINT: `http://127.0.0.1:${agent.port}`,
    })
    const meta = JSON.parse((await httpCall(`${agent.url}/v1.0/metadata`, "GET", {})).body) as Record<
      string,
      unknown
    >
    expect(meta).toMatchObject({
      id: "todo-agent",
      subscriptions: [{ pubsubname: "pubsub-kafka", topic: TOPIC, type: "PROGRAMMATIC" }],
    })
  })
})
