import { TASKS_TOPIC } from "@todo/contracts"
import { createTestDatabase, eventually, type TestDatabaseHandle } from "@todo/testkit"
import { DaprMesh } from "@todo/testkit/dapr/index"
import type { Sidecar } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  count,
  fasterRetries,
  mapLimit,
  prepareTestTables,
  type Running,
  signUpAs,
  startAgent,
  startApi,
} from "./support/Backbone.ts"

/**
 * The API's sidecar goes down in the middle of 500 task writes and comes back while writes go on. Writes never
 * wait for it; the events wait in the outbox; afterwards every one is delivered, none lost, none taking effect twice.
 */
describe("the API's sidecar is down for a while during 500 task writes", () => {
  let db: TestDatabaseHandle
  let mesh: DaprMesh
  let apiSidecar: Sidecar
  let agent: Running
  let api: Running

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    mesh = new DaprMesh({ defaults: { resiliency: { maxRetries: 3, intervalMs: 20 } } })
    agent = await startAgent({ databaseUrl: db.url, env: { APP_API_TOKEN: "app-token" } })
    await mesh.addSidecar({ appId: "todo-agent", appPort: agent.port, appApiToken: "app-token" })
    apiSidecar = await mesh.addSidecar({ appId: "todo-api", daprApiToken: "api-token" })
    api = await startApi({
      databaseUrl: db.url,
      env: {
        ...apiSidecar.env(),
        OUTBOX_SWEEP_INTERVAL: "500 millis",
        DAPR_PUBLISH_TIMEOUT: "2 seconds",
      },
      retryPolicy: fasterRetries({ backoff: { base: "100 millis", max: "1 second" } }),
    })
  }, 60_000)

  afterAll(async () => {
    await api?.stop()
    await agent?.stop()
    await mesh?.close()
    await db?.drop()
  })

  it("every write succeeds; all 500 events are delivered once the sidecar is back, each taking effect once", async () => {
    const users = await mapLimit(
      Array.from({ length: 5 }, (_, i) => i),
      5,
      (i) => signUpAs(api.url, `outage-${i}-${Date.now()}@example.com`),
    )
    // No due dates: the agents react to nothing here, so the only events are the 500 tasks.created.
    const write = (n: number) =>
      mapLimit(
        Array.from({ length: n }, (_, i) => i),
        10,
        async (i) => {
          const { client } = users[i % users.length]!
          const res = await client.api.tasks.create({ body: { title: `task ${i}` } })
          return res.status
        },
      )
    const pending = () => count(db.url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")

    // 100 writes with the sidecar up, all relayed.
    expect(new Set(await write(100))).toEqual(new Set([201]))
    await eventually(async () => ((await pending()) === 0 ? true : undefined), { what: "the first 100" })
    expect(mesh.publishRequests({ appId: "todo-api" })).toHaveLength(100)

    // 300 writes with the sidecar down: every one succeeds, nothing reaches the broker, all wait in the outbox.
    await apiSidecar.stop()
    expect(new Set(await write(300))).toEqual(new Set([201]))
    expect(await pending()).toBe(300)
    expect(mesh.publishRequests({ appId: "todo-api" })).toHaveLength(100)
    const failedAttempts = await count(db.url, "SELECT count(*) AS n FROM outbox WHERE attempts > 0")
    expect(failedAttempts).toBeGreaterThan(0)

    // The sidecar comes back (same port) while 100 more writes go on.
    await apiSidecar.restart()
    expect(new Set(await write(100))).toEqual(new Set([201]))

    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events")) === 500 ? true : undefined,
      { timeoutMs: 20_000, what: "500 processed events" },
    )
    await mesh.waitForIdle({ timeoutMs: 10_000 })

    expect(await count(db.url, "SELECT count(*) AS n FROM tasks")).toBe(500)
    expect(await pending()).toBe(0)
    // Every event crossed the broker exactly once (no publish was retried after the broker took it) …
    const records = mesh.published(TASKS_TOPIC)
    expect(records).toHaveLength(500)
    expect(new Set(records.map((r) => r.headers["cloudevent.id"])).size).toBe(500)
    expect(
      await count(
        db.url,
        "SELECT count(*) AS n FROM outbox o JOIN processed_events p ON p.event_id = o.event_id::text",
      ),
    ).toBe(500)
    // … was acknowledged by the agent once, and took effect once (the test handler's rows have no uniqueness).
    expect(mesh.results({ appId: "todo-agent" }).filter((r) => r.result === "acked")).toHaveLength(500)
    expect(await count(db.url, "SELECT count(*) AS n FROM test_effects")).toBe(500)
    expect(await count(db.url, "SELECT count(DISTINCT event_id) AS n FROM test_effects")).toBe(500)
    expect(mesh.deadLetters()).toEqual([])
    expect(await count(db.url, "SELECT count(*) AS n FROM dead_letters")).toBe(0)

    // One user's events took effect in the order they were written.
    const misordered = await count(
      db.url,
      `SELECT count(*) AS n FROM (
         SELECT e.user_id, o.id AS outbox_id, e.seq,
                lag(o.id) OVER (PARTITION BY e.user_id ORDER BY e.seq) AS previous_outbox_id
         FROM test_effects e JOIN outbox o ON o.event_id = e.event_id) x
       WHERE previous_outbox_id > outbox_id`,
    )
    expect(misordered).toBe(0)
  }, 60_000)
})
