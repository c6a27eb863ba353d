import { createTestDatabase, eventually, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  count,
  fasterRetries,
  prepareTestTables,
  type Running,
  signUpAs,
  startOneProcess,
} from "./support/Backbone.ts"

/**
 * The one-process mode's bus keeps Dapr's semantics: a failing handler is retried on the delivery schedule and
 * the event takes effect once it works; the relay marks the event published only after the consumer took it.
 * (Retries running out → dead letter → replay is in PoisonEvent.test.ts, for both modes.)
 */
describe("the in-process bus", () => {
  let db: TestDatabaseHandle
  let app: Running
  const calls: Array<{ title: string; at: number }> = []

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    app = await startOneProcess({
      databaseUrl: db.url,
      retryPolicy: fasterRetries({ delivery: { retries: 3, interval: "100 millis" } }),
      handlers: {
        // FLAKY fails its first two deliveries (a handler hitting a transient error), then works.
        poisoned: (title) => {
          calls.push({ title, at: performance.now() })
          return title === "FLAKY" && calls.filter((c) => c.title === "FLAKY").length <= 2
        },
      },
    })
  }, 60_000)

  afterAll(async () => {
    await app?.stop()
    await db?.drop()
  })

  it("retries a failing handler on the delivery schedule; the event takes effect once; no dead letter", async () => {
    const { client } = await signUpAs(app.url, `bus-${Date.now()}@example.com`)
    const created = await client.api.tasks.create({ body: { title: "FLAKY" } })
    if (created.status !== 201) throw new Error("create failed")
    const next = await client.api.tasks.create({ body: { title: "next" } })
    if (next.status !== 201) throw new Error("create failed")

    await eventually(
      async () => ((await count(db.url, "SELECT count(*) AS n FROM test_effects")) === 2 ? true : undefined),
      { what: "both effects" },
    )
    const flaky = calls.filter((c) => c.title === "FLAKY")
    expect(flaky).toHaveLength(3)
    // 100 ms between attempts (Dapr's constant policy, as the retry policy renders it).
    expect(flaky[1]!.at - flaky[0]!.at).toBeGreaterThanOrEqual(95)
    expect(flaky[2]!.at - flaky[1]!.at).toBeGreaterThanOrEqual(95)
    // The same user's next event waited for FLAKY: per-user order holds through retries.
    expect(
      (await queryRows<{ title: string }>(db.url, "SELECT title FROM test_effects ORDER BY seq")).map(
        (r) => r.title,
      ),
    ).toEqual(["FLAKY", "next"])
    const [eventId] = (
      await queryRows<{ event_id: string }>(db.url, "SELECT event_id::text FROM outbox WHERE task_id = $1", [
        created.body.id,
      ])
    ).map((r) => r.event_id)
    const failures = await queryRows<{ attempts: number; last_error: string }>(
      db.url,
      "SELECT attempts, last_error FROM delivery_failures WHERE event_id = $1",
      [eventId],
    )
    expect(failures.map((f) => f.attempts)).toEqual([2])
    expect(failures[0]!.last_error).toContain("FLAKY is poisoned")
    expect(await count(db.url, "SELECT count(*) AS n FROM processed_events")).toBe(2)
    expect(await count(db.url, "SELECT count(*) AS n FROM dead_letters")).toBe(0)
    expect(await count(db.url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).toBe(0)
  })
})
