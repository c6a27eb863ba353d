import { describe, expect, it } from "vitest"
import { eventId, harness } from "./helpers/Harness.ts"

const h = harness()
const TOPIC = "tasks-lifecycle"
const subscriptions = [{ pubsubname: "pubsub-kafka", topic: TOPIC, route: "/events" }]

describe("consumer groups = app-id (DAPR.md §4)", () => {
  it("fans every record out to each subscribing app", async () => {
    const mesh = h.mesh()
    const agentApp = await h.app({ subscriptions })
    const notifierApp = await h.app({ subscriptions })
    const api = await mesh.addSidecar({ appId: "todo-api" })
    await mesh.addSidecar({ appId: "todo-agent", appPort: agentApp.port })
    await mesh.addSidecar({ appId: "todo-notifier", appPort: notifierApp.port })
    for (const id of ["a", "b", "c"]) await api.publish(TOPIC, {}, { metadata: { "cloudevent.id": id } })
    await mesh.waitFor(() => mesh.results().length === 6)
    expect(agentApp.deliveries().map(eventId).sort()).toEqual(["a", "b", "c"])
    expect(notifierApp.deliveries().map(eventId).sort()).toEqual(["a", "b", "c"])
  })

  it("replicas of one app share its partitions; a stopped replica's partitions move to the other", async () => {
    const mesh = h.mesh()
    const appA = await h.app({ subscriptions })
    const appB = await h.app({ subscriptions })
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const a = await mesh.addSidecar({ appId: "todo-agent", appPort: appA.port })
    await mesh.addSidecar({ appId: "todo-agent", appPort: appB.port })
    // No key ⇒ round-robin over partitions 0, 1, 2, 0, 1, 2; partition p goes to replica p mod 2.
    // Partitions are consumed concurrently, so only the sets are compared.
    for (let i = 0; i < 6; i++) await api.publish(TOPIC, {}, { metadata: { "cloudevent.id": `e${i}` } })
    await mesh.waitFor(() => mesh.results().length === 6)
    expect(appA.deliveries().map(eventId).sort()).toEqual(["e0", "e2", "e3", "e5"])
    expect(appB.deliveries().map(eventId).sort()).toEqual(["e1", "e4"])
    await a.stop()
    for (let i = 6; i < 9; i++) await api.publish(TOPIC, {}, { metadata: { "cloudevent.id": `e${i}` } })
    await mesh.waitFor(() => mesh.results().length === 9)
    expect(appB.deliveries().map(eventId).sort()).toEqual(["e1", "e4", "e6", "e7", "e8"])
  })
})
