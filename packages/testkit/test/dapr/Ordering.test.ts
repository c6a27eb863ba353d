import { describe, expect, it } from "vitest"
import type { Answer } from "./helpers/FakeApp.ts"
import { eventId, harness } from "./helpers/Harness.ts"

const h = harness()
const TOPIC = "tasks-lifecycle"

const setup = async (answer: (id: string, attempt: number) => Answer, deadLetterTopic?: string) => {
  const mesh = h.mesh()
  const counts = new Map<string, number>()
  const app = await h.app({
    subscriptions: [
      {
        pubsubname: "pubsub-kafka",
        topic: TOPIC,
        route: "/events",
        ...(deadLetterTopic ? { deadLetterTopic } : {}),
      },
    ],
    handler: (req) => {
      const id = eventId(req)
      const n = (counts.get(id) ?? 0) + 1
      counts.set(id, n)
      return answer(id, n)
    },
  })
  const api = await mesh.addSidecar({ appId: "todo-api" })
  await mesh.addSidecar({
    appId: "todo-agent",
    appPort: app.port,
    resiliency: { maxRetries: 3, intervalMs: 15 },
    redeliveryBackoffMs: 15,
  })
  const publish = (id: string, user: string) =>
    api.publish(TOPIC, { id }, { metadata: { partitionKey: user, "cloudevent.id": id } })
  return { mesh, app, publish }
}

describe("per-partition order (DAPR.md §2 Ordering)", () => {
  it("keeps one user's events in publish order even when the first needs retries", async () => {
    // e1 fails twice before it succeeds; e2..e5 (same key) must wait for it.
    const { mesh, app, publish } = await setup((id, n) =>
      id === "e1" && n <= 2 ? { status: 500 } : { status: 200 },
    )
    for (const id of ["e1", "e2", "e3", "e4", "e5"]) await publish(id, "user-1")
    await mesh.waitFor(() => mesh.results().length === 5)
    expect(app.deliveries().map(eventId)).toEqual(["e1", "e1", "e1", "e2", "e3", "e4", "e5"])
    expect(mesh.results().map((r) => [r.cloudEventId, r.result, r.attempts])).toEqual([
      ["e1", "acked", 3],
      ["e2", "acked", 1],
      ["e3", "acked", 1],
      ["e4", "acked", 1],
      ["e5", "acked", 1],
    ])
  })

  it("does not block other users: a stuck partition leaves the others flowing", async () => {
    const { mesh, app, publish } = await setup((id) => (id === "stuck" ? { status: 503 } : { status: 200 }))
    const p1 = mesh.broker.partitionFor(TOPIC, "user-1")
    const p3 = mesh.broker.partitionFor(TOPIC, "user-3")
    expect(p1).not.toBe(p3)
    await publish("stuck", "user-1")
    await publish("u1-next", "user-1")
    for (const id of ["u3-a", "u3-b", "u3-c"]) await publish(id, "user-3")
    await mesh.waitFor(() => mesh.results().length === 3)
    expect(mesh.results().map((r) => r.cloudEventId)).toEqual(["u3-a", "u3-b", "u3-c"])
    await mesh.waitFor(() => mesh.attempts({ cloudEventId: "stuck" }).length > 4) // redelivered beyond the policy
    expect(app.deliveries().some((r) => eventId(r) === "u1-next")).toBe(false)
  })

  it("lets later events of a user proceed once the blocking one is dead-lettered", async () => {
    const { mesh, app, publish } = await setup(
      (id) => (id === "poison" ? { status: 500 } : { status: 200 }),
      "dlq",
    )
    await publish("poison", "user-1")
    await publish("after", "user-1")
    await mesh.waitFor(() => mesh.results().length === 2)
    expect(mesh.results().map((r) => [r.cloudEventId, r.result])).toEqual([
      ["poison", "dead-lettered"],
      ["after", "acked"],
    ])
    expect(app.deliveries().map(eventId)).toEqual(["poison", "poison", "poison", "poison", "after"])
  })
})
