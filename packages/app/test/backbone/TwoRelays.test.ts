import { OutboxRelayLive } from "@todo/messaging"
import { createTestDatabase, eventually, queryRows, runLayer, type TestDatabaseHandle } from "@todo/testkit"
import { Layer, Logger } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  appendEvents,
  database,
  fastBackoff,
  newUserId,
  type PublishCall,
  recordingPublisher,
  relayConfig,
} from "../../../messaging/test/outbox/support.ts"

/**
 * Two relays (two API replicas, each with its own connection pool) on one database, while writers keep appending
 * and the publisher is slow and sometimes fails: each event is published successfully exactly once, one user's
 * events never overlap in flight and go out in commit order, and both relays share the work.
 */
describe("two relays on one database under load", () => {
  let db: TestDatabaseHandle
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("publish each event once per claim, keep per-user order, and share the work", async () => {
    const calls: Array<PublishCall> = []
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    // Slow enough that the relays overlap; one publish in 20 fails (a sidecar hiccup) and is retried later.
    const publisher = (name: string) =>
      recordingPublisher(name, calls, {
        delayMs: () => Math.floor(random() * 3),
        fail: () => random() < 0.05,
      })
    const relays = ["r1", "r2"].map((name) =>
      runLayer(
        OutboxRelayLive.pipe(
          Layer.provide(publisher(name)),
          Layer.provide(database(db.url, 4)),
          Layer.provide(
            relayConfig({
              OUTBOX_BATCH_SIZE: "20",
              OUTBOX_CONCURRENCY: "4",
              OUTBOX_SWEEP_INTERVAL: "100 millis",
            }),
          ),
          Layer.provide(fastBackoff("20 millis", "100 millis")),
          Layer.provide(Logger.layer([])),
        ),
      ),
    )
    try {
      // 20 users, 40 events each, written by 20 concurrent writers while both relays run.
      const users = Array.from({ length: 20 }, () => newUserId())
      const written = (await Promise.all(users.map((u) => appendEvents(db.url, u, 40)))).flat()
      expect(written).toHaveLength(800)
      await eventually(
        async () =>
          new Set(calls.filter((c) => c.ok).map((c) => c.record.eventId)).size === 800 ? true : undefined,
        { timeoutMs: 30_000, what: "800 published events" },
      )

      const ok = calls.filter((c) => c.ok)
      // Each event published successfully exactly once: no claim was ever taken by both relays.
      expect(ok).toHaveLength(800)
      // Both replicas did real work.
      const byRelay = new Map(["r1", "r2"].map((r) => [r, ok.filter((c) => c.relay === r).length]))
      expect(byRelay.get("r1")).toBeGreaterThan(0)
      expect(byRelay.get("r2")).toBeGreaterThan(0)
      // Failures happened and were retried (else the test would not exercise the backoff path).
      expect(calls.filter((c) => !c.ok).length).toBeGreaterThan(0)

      const outboxOrder = await queryRows<{ user_id: string; event_id: string }>(
        db.url,
        "SELECT user_id::text, event_id::text FROM outbox ORDER BY id",
      )
      for (const user of users) {
        const expected = outboxOrder.filter((r) => r.user_id === user).map((r) => r.event_id)
        const mine = ok.filter((c) => c.record.userId === user).sort((a, b) => a.startedAt - b.startedAt)
        // Commit order, as the outbox ids give it …
        expect(mine.map((c) => c.record.eventId)).toEqual(expected)
        // … and never two of one user's publishes (successful or not) in flight at once, across both relays.
        const all = calls.filter((c) => c.record.userId === user).sort((a, b) => a.startedAt - b.startedAt)
        for (let i = 1; i < all.length; i++)
          expect(all[i]!.startedAt).toBeGreaterThanOrEqual(all[i - 1]!.endedAt)
      }
      const unpublished = await queryRows(db.url, "SELECT id FROM outbox WHERE published_at IS NULL")
      expect(unpublished).toEqual([])
    } finally {
      await Promise.all(relays.map((r) => r.stop()))
    }
  }, 60_000)
})
