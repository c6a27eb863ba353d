import { TASKS_TOPIC } from "@todo/contracts"
import { apiClient, createTestDatabase, eventually, queryRows, type TestDatabaseHandle } from "@todo/testkit"
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
 * A poison event: a handler that always fails for it. It ends in the dead letters after the retry policy, shows up
 * in GET /api/admin/dead-letters for an admin (403 for anyone else), and once the handler is fixed a replay takes
 * effect exactly once, even replayed twice; then the operator deletes it. Run through the Dapr sidecars and in the
 * one-process mode (in-process bus), which must behave the same as the Dapr path; the same drill through real
 * daprd sidecars and Kafka, with separate processes, is packages/app/test/dapr/Delivery.test.ts.
 */
describe("a poison event (one process)", () => {
  let db: TestDatabaseHandle
  const stops: Array<() => Promise<void>> = []
  let api: Running
  let broken = true
  const adminEmail = `Ops.Admin-${Date.now()}@Example.com`

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    const handlers = { poisoned: (title: string) => broken && title.startsWith("POISON") }
    api = await startOneProcess({
      databaseUrl: db.url,
      handlers,
      retryPolicy: fasterRetries({ delivery: { retries: 3, interval: "20 millis" } }),
    })
    stops.unshift(api.stop)
  }, 60_000)

  afterAll(async () => {
    for (const stop of stops) await stop()
    await db?.drop()
  })

  it("is dead-lettered after the retries, listed for admins only, replayed once after the fix, deleted", async () => {
    const admin = await signUpAs(api.url, adminEmail)
    // The admin role is the operator command's to grant (packages/api/src/bin/admin.ts, tested apart).
    await queryRows(
      db.url,
      `INSERT INTO user_roles (user_id, role, granted_by) SELECT id, 'admin', 'test' FROM "user" WHERE email = $1`,
      [adminEmail.toLowerCase()],
    )
    const user = await signUpAs(api.url, `poison-user-${Date.now()}@example.com`)
    const poison = await user.client.api.tasks.create({ body: { title: "POISON pill" } })
    const after = await user.client.api.tasks.create({ body: { title: "after the pill" } })
    if (poison.status !== 201 || after.status !== 201) throw new Error("create failed")
    const [{ event_id: eventId }] = (await queryRows<{ event_id: string }>(
      db.url,
      "SELECT event_id::text FROM outbox WHERE task_id = $1",
      [poison.body.id],
    )) as [{ event_id: string }]

    // Four attempts (1 + 3 retries), then the dead-letter table; the user's next event is not blocked for good.
    const listed = await eventually(
      async () => {
        const res = await admin.client.api.admin.deadLetters.list({ query: {} })
        return res.status === 200 && res.body.items.length === 1 ? res.body : undefined
      },
      { timeoutMs: 10_000, what: "the dead letter" },
    )
    const [letter] = listed.items
    expect(listed.nextCursor).toBeNull()
    expect(letter).toMatchObject({
      eventId,
      eventType: "tasks.created",
      topic: TASKS_TOPIC,
      attempts: 4,
      replayedAt: null,
    })
    expect(letter!.error).toContain(`test handler: POISON pill is poisoned`)
    expect((letter!.event as { id: string; data: { taskId: string } }).id).toBe(eventId)
    expect((letter!.event as { data: { taskId: string } }).data.taskId).toBe(poison.body.id)
    expect(Date.parse(letter!.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(letter!.firstSeenAt))
    await eventually(async () =>
      (await count(db.url, "SELECT count(*) AS n FROM test_effects WHERE task_id = $1", [after.body.id])) ===
      1
        ? true
        : undefined,
    )
    expect(
      await count(db.url, "SELECT count(*) AS n FROM test_effects WHERE task_id = $1", [poison.body.id]),
    ).toBe(0)
    expect(
      await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [eventId]),
    ).toBe(0)

    // Nobody but an admin sees or touches dead letters; anonymous callers are not even identified.
    const id = letter!.id
    expect((await user.client.api.admin.deadLetters.list({ query: {} })).status).toBe(403)
    expect((await user.client.api.admin.deadLetters.replay({ params: { id } })).status).toBe(403)
    expect((await user.client.api.admin.deadLetters.remove({ params: { id } })).status).toBe(403)
    expect((await apiClient(api.url).api.admin.deadLetters.list({ query: {} })).status).toBe(401)
    expect(
      (await admin.client.api.admin.deadLetters.replay({ params: { id: crypto.randomUUID() } })).status,
    ).toBe(404)

    // The handler is fixed; the operator replays, twice (a double click): it takes effect once.
    broken = false
    const replayed = await admin.client.api.admin.deadLetters.replay({ params: { id } })
    expect(replayed.status).toBe(202)
    if (replayed.status !== 202) return
    expect(replayed.body.eventId).toBe(eventId)
    expect(replayed.body.replayedAt).not.toBeNull()
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [eventId])) ===
        1
          ? true
          : undefined,
      { what: "the replayed event to be processed" },
    )
    expect((await admin.client.api.admin.deadLetters.replay({ params: { id } })).status).toBe(202)
    await eventually(async () =>
      (await count(
        db.url,
        "SELECT count(*) AS n FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL",
        [eventId],
      )) === 1
        ? true
        : undefined,
    )
    expect(
      await count(db.url, "SELECT count(*) AS n FROM test_effects WHERE task_id = $1", [poison.body.id]),
    ).toBe(1)
    expect(await count(db.url, "SELECT count(*) AS n FROM outbox WHERE event_id = $1", [eventId])).toBe(1)

    // Still listed (replayed) until the operator deletes it.
    const afterReplay = await admin.client.api.admin.deadLetters.list({ query: {} })
    expect(
      afterReplay.status === 200 && afterReplay.body.items.map((d) => [d.id, d.replayedAt !== null]),
    ).toEqual([[id, true]])
    expect((await admin.client.api.admin.deadLetters.remove({ params: { id } })).status).toBe(204)
    expect((await admin.client.api.admin.deadLetters.remove({ params: { id } })).status).toBe(404)
    const empty = await admin.client.api.admin.deadLetters.list({ query: {} })
    expect(empty.status === 200 && empty.body.items).toEqual([])
  }, 60_000)
})
