import { randomUUID } from "node:crypto"
import { TASKS_DLQ_TOPIC, TASKS_TOPIC } from "@todo/contracts"
import { createTestDatabase, eventually, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { DaprMesh, type Sidecar } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { count, prepareTestTables, type Running, startAgent } from "./support/Backbone.ts"

/**
 * The agent's subscription side (DAPR.md §2, §7): what it answers the sidecar and what it records, for a malformed
 * event, a redelivery and a caller without the app token. (Handler failure → RETRY ×4 → dead letter is in
 * PoisonEvent.test.ts.)
 */
describe("the agent's subscription routes", () => {
  let db: TestDatabaseHandle
  let mesh: DaprMesh
  let publisher: Sidecar
  let agent: Running
  const token = "app-token-789"

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    mesh = new DaprMesh({ defaults: { resiliency: { maxRetries: 3, intervalMs: 20 } } })
    agent = await startAgent({ databaseUrl: db.url, env: { APP_API_TOKEN: token } })
    await mesh.addSidecar({ appId: "todo-agent", appPort: agent.port, appApiToken: token })
    publisher = await mesh.addSidecar({ appId: "todo-api" })
  }, 60_000)

  afterAll(async () => {
    await agent?.stop()
    await mesh?.close()
    await db?.drop()
  })

  const taskEvent = () => {
    const eventId = randomUUID()
    return {
      eventType: "tasks.created",
      eventId,
      taskId: randomUUID(),
      userId: randomUUID(),
      correlationId: "sub-test",
      timestamp: new Date().toISOString(),
      schemaVersion: 1,
      actor: "user",
      title: "from a test",
      priority: "medium",
      dueDate: null,
      recurring: false,
    }
  }

  it("declares its subscriptions, with the dead-letter topic, to its own sidecar only", async () => {
    // daprd sends the app token on /dapr/subscribe too (DAPR.md §7).
    expect((await fetch(`${agent.url}/dapr/subscribe`)).status).toBe(401)
    const res = await fetch(`${agent.url}/dapr/subscribe`, { headers: { "dapr-api-token": token } })
    expect(await res.json()).toEqual([
      {
        pubsubname: "pubsub-kafka",
        topic: TASKS_TOPIC,
        routes: { default: "/events/tasks-lifecycle" },
        deadLetterTopic: TASKS_DLQ_TOPIC,
      },
      {
        pubsubname: "pubsub-kafka",
        topic: TASKS_DLQ_TOPIC,
        routes: { default: "/events/tasks-lifecycle-dlq" },
      },
    ])
  })

  it("a malformed event is DROPped at once and parked once, with the decoding error", async () => {
    const id = randomUUID()
    const answer = await publisher.publish(
      TASKS_TOPIC,
      { eventType: "tasks.created", title: 42 },
      { metadata: { partitionKey: "someone", "cloudevent.id": id, "cloudevent.type": "tasks.created" } },
    )
    expect(answer.status).toBe(204)
    const [letter] = await eventually(
      async () => {
        const rows = await queryRows<{ error: string; attempts: number; event_type: string }>(
          db.url,
          "SELECT error, attempts, event_type FROM dead_letters WHERE event_id = $1",
          [id],
        )
        return rows.length > 0 ? rows : undefined
      },
      { what: "the parked malformed event" },
    )
    await mesh.waitForIdle()
    const attempts = mesh.attempts({ appId: "todo-agent", topic: TASKS_TOPIC, cloudEventId: id })
    expect(attempts.map((a) => [a.outcome, JSON.parse(a.responseBody)])).toEqual([
      ["drop", { status: "DROP" }],
    ])
    expect(mesh.deadLetters({ cloudEventId: id }).map((r) => r.reason)).toEqual(["app-drop"])
    expect(letter!.error).toMatch(/^malformed task event: /)
    expect(letter!.attempts).toBe(1)
    expect(letter!.event_type).toBe("tasks.created")
    expect(await count(db.url, "SELECT count(*) AS n FROM dead_letters WHERE event_id = $1", [id])).toBe(1)
    expect(await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [id])).toBe(
      0,
    )
  })

  it("a redelivered event is acknowledged and does nothing", async () => {
    const event = taskEvent()
    const envelope = JSON.stringify({
      id: event.eventId,
      source: "todo-api",
      type: event.eventType,
      specversion: "1.0",
      datacontenttype: "application/json",
      data: event,
      topic: TASKS_TOPIC,
      pubsubname: "pubsub-kafka",
    })
    const deliver = () =>
      fetch(`${agent.url}/events/tasks-lifecycle`, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json", "dapr-api-token": token },
        body: envelope,
      }).then(async (r) => [r.status, await r.json()])
    expect(await deliver()).toEqual([200, { status: "SUCCESS" }])
    expect(await deliver()).toEqual([200, { status: "SUCCESS" }])
    expect(await deliver()).toEqual([200, { status: "SUCCESS" }])
    expect(
      await count(db.url, "SELECT count(*) AS n FROM test_effects WHERE event_id = $1", [event.eventId]),
    ).toBe(1)
    expect(
      await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [event.eventId]),
    ).toBe(1)
  })

  it("answers 401 to a caller without the right app token, and does nothing", async () => {
    const event = taskEvent()
    const body = JSON.stringify({
      id: event.eventId,
      source: "x",
      type: event.eventType,
      specversion: "1.0",
      data: event,
    })
    for (const path of ["/events/tasks-lifecycle", "/events/tasks-lifecycle-dlq"]) {
      for (const headers of [{}, { "dapr-api-token": "wrong" }, { "dapr-api-token": `${token}x` }]) {
        const res = await fetch(`${agent.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/cloudevents+json", ...headers },
          body,
        })
        expect(res.status).toBe(401)
        expect(res.headers.get("content-type")).toMatch(/problem\+json/)
      }
    }
    expect(
      await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [event.eventId]),
    ).toBe(0)
    expect(
      await count(db.url, "SELECT count(*) AS n FROM dead_letters WHERE event_id = $1", [event.eventId]),
    ).toBe(0)
  })
})
