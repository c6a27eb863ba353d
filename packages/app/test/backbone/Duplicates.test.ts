import { TASKS_TOPIC } from "@todo/contracts"
import { createTestDatabase, eventually, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { DaprMesh, type Sidecar } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { count, prepareTestTables, type Running, signUpAs, startAgent, startApi } from "./support/Backbone.ts"

/**
 * Every event is delivered twice (at-least-once at its worst), and one user's partition is held back so another
 * user's later events overtake it: each event still takes effect exactly once, and each user's events in order.
 */
describe("every event delivered twice, out of order across users", () => {
  let db: TestDatabaseHandle
  let mesh: DaprMesh
  let agentSidecar: Sidecar
  let agent: Running
  let api: Running

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    mesh = new DaprMesh({ defaults: { resiliency: { maxRetries: 3, intervalMs: 20 } } })
    agent = await startAgent({ databaseUrl: db.url })
    agentSidecar = await mesh.addSidecar({
      appId: "todo-agent",
      appPort: agent.port,
      duplicateDeliveries: true,
    })
    const apiSidecar = await mesh.addSidecar({ appId: "todo-api" })
    api = await startApi({ databaseUrl: db.url, env: apiSidecar.env() })
  }, 60_000)

  afterAll(async () => {
    await api?.stop()
    await agent?.stop()
    await mesh?.close()
    await db?.drop()
  })

  it("each event takes effect once; each user's events in commit order; other users overtake", async () => {
    // Two users whose events land on different partitions.
    const a = await signUpAs(api.url, `dup-a-${Date.now()}@example.com`)
    let b = await signUpAs(api.url, `dup-b-${Date.now()}@example.com`)
    for (
      let i = 0;
      mesh.broker.partitionFor(TASKS_TOPIC, b.user.id) === mesh.broker.partitionFor(TASKS_TOPIC, a.user.id);
      i++
    ) {
      b = await signUpAs(api.url, `dup-b-${i}-${Date.now()}@example.com`)
    }
    const held = mesh.broker.partitionFor(TASKS_TOPIC, a.user.id)
    agentSidecar.pausePartition(TASKS_TOPIC, held)

    // A writes first, then B; A's events are held at the broker while B's are delivered (twice each).
    for (let i = 0; i < 5; i++) await a.client.api.tasks.create({ body: { title: `a${i}` } })
    for (let i = 0; i < 5; i++) await b.client.api.tasks.create({ body: { title: `b${i}` } })
    const effectsOf = (userId: string) =>
      queryRows<{ title: string; event_id: string }>(
        db.url,
        "SELECT title, event_id::text FROM test_effects WHERE user_id = $1 ORDER BY seq",
        [userId],
      )
    await eventually(async () => ((await effectsOf(b.user.id)).length === 5 ? true : undefined), {
      what: "B's five events",
    })
    await mesh.waitForIdle()
    expect(await effectsOf(a.user.id)).toEqual([])
    agentSidecar.resumePartition(TASKS_TOPIC, held)
    await eventually(async () => ((await effectsOf(a.user.id)).length === 5 ? true : undefined), {
      what: "A's five events",
    })
    await mesh.waitForIdle()

    // The agent really was given every event twice, and answered SUCCESS both times.
    const attempts = mesh.attempts({ appId: "todo-agent", topic: TASKS_TOPIC })
    expect(attempts).toHaveLength(20)
    const ids = [...new Set(attempts.map((x) => x.cloudEventId))]
    expect(ids).toHaveLength(10)
    for (const id of ids) {
      const forId = attempts.filter((x) => x.cloudEventId === id)
      expect(forId.map((x) => [x.duplicate, x.outcome, JSON.parse(x.responseBody).status])).toEqual([
        [false, "success", "SUCCESS"],
        [true, "success", "SUCCESS"],
      ])
    }
    // Yet every event took effect once, and was recorded once.
    expect(await count(db.url, "SELECT count(*) AS n FROM test_effects")).toBe(10)
    expect(await count(db.url, "SELECT count(DISTINCT event_id) AS n FROM test_effects")).toBe(10)
    expect(await count(db.url, "SELECT count(*) AS n FROM processed_events")).toBe(10)
    // B's later events overtook A's earlier ones, and each user's own events kept their order.
    const order = await queryRows<{ title: string }>(db.url, "SELECT title FROM test_effects ORDER BY seq")
    expect(order.map((r) => r.title)).toEqual(["b0", "b1", "b2", "b3", "b4", "a0", "a1", "a2", "a3", "a4"])
    const outboxOrder = await queryRows<{ title: string }>(
      db.url,
      "SELECT payload->>'title' AS title FROM outbox ORDER BY id",
    )
    expect(outboxOrder.map((r) => r.title)).toEqual([
      "a0",
      "a1",
      "a2",
      "a3",
      "a4",
      "b0",
      "b1",
      "b2",
      "b3",
      "b4",
    ])
    expect(mesh.deadLetters()).toEqual([])
  }, 30_000)
})
