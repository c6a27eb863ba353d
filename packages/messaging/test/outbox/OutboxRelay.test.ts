import { randomUUID } from "node:crypto"
import { Outbox } from "../../src/outbox/Outbox.ts"
import type { EventPublisher } from "../../src/publish/EventPublisher.ts"
import { OutboxRelayLive, pruneOutbox } from "../../src/outbox/OutboxRelay.ts"
import { createTestDatabase, eventually, queryRows, runLayer, type TestDatabaseHandle } from "@todo/testkit"
import { Deferred, Effect, Layer, Logger, References, Schedule } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  appendEvents,
  database,
  newUserId,
  type PublishCall,
  recordingPublisher,
  fastBackoff,
  relayConfig,
} from "./support.ts"

let db: TestDatabaseHandle
const running: Array<{ stop: () => Promise<void> }> = []
beforeEach(async () => {
  db = await createTestDatabase()
  logged = []
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()))
  await db.drop()
})

/** What the relays logged, message by message (at every level). */
let logged: Array<string> = []
const captureLogs = Layer.merge(
  Logger.layer([
    Logger.make(({ message }) => {
      logged.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    }),
  ]),
  Layer.succeed(References.MinimumLogLevel, "All"),
)

const startRelay = (
  publisher: Layer.Layer<EventPublisher>,
  config: Record<string, string> = {},
  backoff = fastBackoff("100 millis", "400 millis"),
) => {
  const relay = runLayer(
    OutboxRelayLive.pipe(
      Layer.provide(publisher),
      Layer.provide(database(db.url)),
      Layer.provide(relayConfig(config)),
      Layer.provide(backoff),
      Layer.provide(captureLogs),
    ),
  )
  running.push(relay)
  return relay
}

const outboxRows = () =>
  queryRows<{ event_id: string; published_at: Date | null; attempts: number; next_due: boolean }>(
    db.url,
    "SELECT event_id, published_at, attempts, next_attempt_at <= now() AS next_due FROM outbox ORDER BY id",
  )

const okIds = (calls: ReadonlyArray<PublishCall>) => calls.filter((c) => c.ok).map((c) => c.record.eventId)

describe("OutboxRelayLive", () => {
  it("drains one user's backlog of 300 events in order, without waiting for the sweep", async () => {
    const user = newUserId()
    const events = await appendEvents(db.url, user, 300)
    const calls: Array<PublishCall> = []
    const started = Date.now()
    startRelay(recordingPublisher("r1", calls))
    await eventually(async () => (calls.length >= 300 ? true : undefined), {
      timeoutMs: 10_000,
      what: "300 publishes",
    })
    // The sweep is 60 s: only draining batch after batch explains 300 publishes in a few seconds.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(okIds(calls)).toEqual(events.map((e) => e.eventId))
    await eventually(async () =>
      (await outboxRows()).every((r) => r.published_at !== null) ? true : undefined,
    )
  })

  it("is woken by NOTIFY at commit", async () => {
    const calls: Array<PublishCall> = []
    startRelay(recordingPublisher("r1", calls))
    const [first] = await appendEvents(db.url, newUserId(), 1)
    await eventually(async () => (calls.length === 1 ? true : undefined), { what: "the first publish" })
    const appended = performance.now()
    const [second] = await appendEvents(db.url, newUserId(), 1)
    await eventually(async () => (calls.length === 2 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 5,
      what: "the publish after NOTIFY",
    })
    // Far below the 60 s sweep: only the notification can have woken the relay.
    expect(calls[1]!.startedAt - appended).toBeLessThan(10_000)
    expect(okIds(calls)).toEqual([first!.eventId, second!.eventId])
  })

  it("backs off exponentially while publishing fails, keeps order, and publishes everything once it works", async () => {
    let down = true
    const calls: Array<PublishCall> = []
    const users = [newUserId(), newUserId(), newUserId()]
    const events = (await Promise.all(users.map((u) => appendEvents(db.url, u, 5)))).flat()
    startRelay(
      recordingPublisher("r1", calls, { fail: () => down }),
      { OUTBOX_CONCURRENCY: "1" },
      fastBackoff("100 millis", "800 millis"),
    )
    // With concurrency 1 a failing batch is two calls (two failures in a row halt it): the gaps between the
    // batches are the relay's backoff.
    await eventually(async () => (calls.length >= 10 ? true : undefined), { timeoutMs: 5_000 })
    down = false
    const failing = calls.slice(0, 10)
    expect(failing.every((c) => !c.ok)).toBe(true)
    const batchStarts = failing.filter((_, i) => i % 2 === 0)
    const batchEnds = failing.filter((_, i) => i % 2 === 1)
    const gaps = batchStarts.slice(1).map((c, i) => c.startedAt - batchEnds[i]!.endedAt)
    // n-th delay in [d/2, d], d = 100 · 2^(n-1) ms capped at 800: at least 50, 100, 200, 400 ms.
    expect(gaps).toHaveLength(4)
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(Math.min(800, 100 * 2 ** i) / 2 - 5)
    })
    // A batch that published nothing leaves no per-row backoff behind: the relay's own backoff covers it.
    expect((await outboxRows()).filter((r) => r.attempts > 0).every((r) => r.next_due)).toBe(true)

    await eventually(async () => (okIds(calls).length === 15 ? true : undefined), { timeoutMs: 5_000 })
    for (const user of users) {
      const order = calls.filter((c) => c.ok && c.record.userId === user).map((c) => c.record.eventId)
      expect(order).toEqual(events.filter((e) => e.userId === user).map((e) => e.eventId))
    }
    expect(new Set(okIds(calls)).size).toBe(15)
  })

  it("holds back a user's later events behind one that keeps failing; other users go on", async () => {
    const stuck = newUserId()
    const other = newUserId()
    const [poison, ...later] = await appendEvents(db.url, stuck, 3)
    let broken = true
    const calls: Array<PublishCall> = []
    startRelay(
      recordingPublisher("r1", calls, { fail: (r) => broken && r.eventId === poison!.eventId }),
      // The sweep is what picks a row up again once its backoff has elapsed.
      { OUTBOX_SWEEP_INTERVAL: "200 millis" },
      fastBackoff("200 millis", "1 second"),
    )
    const others = await appendEvents(db.url, other, 3)
    await eventually(async () => (okIds(calls).length === 3 ? true : undefined), { what: "the other user" })
    expect(okIds(calls)).toEqual(others.map((e) => e.eventId))
    await eventually(async () => (calls.filter((c) => !c.ok).length >= 2 ? true : undefined))
    // The relay records a failed attempt on the row after the publish call returns: wait for the second record.
    const stuckRow = await eventually(async () => {
      const row = (await outboxRows()).find((r) => r.event_id === poison!.eventId)!
      return row.attempts >= 2 ? row : undefined
    })
    expect(calls.some((c) => c.ok && c.record.userId === stuck)).toBe(false)
    expect(stuckRow.published_at).toBeNull()

    broken = false
    await eventually(async () => (okIds(calls).length === 6 ? true : undefined), { timeoutMs: 5_000 })
    expect(okIds(calls).slice(3)).toEqual([poison!.eventId, ...later.map((e) => e.eventId)])
  })

  it("on shutdown lets the publish in flight finish and commits it; claims nothing more", async () => {
    const user = newUserId()
    const [first, second] = await appendEvents(db.url, user, 2)
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered = 0
    const calls: Array<PublishCall> = []
    const relay = startRelay(
      recordingPublisher("r1", calls, {
        gate: () => {
          entered++
          return gate
        },
      }),
    )
    await eventually(async () => (entered === 1 ? true : undefined), { what: "the first publish to start" })
    const stopped = relay.stop()
    // The gate opens only once the relay is stopping, so the publish is in flight across the stop.
    await eventually(
      async () => (logged.some((m) => m.startsWith("outbox relay stopping")) ? true : undefined),
      {
        what: "the relay to begin stopping",
      },
    )
    release()
    await stopped
    running.splice(running.indexOf(relay), 1)
    expect(calls.map((c) => c.record.eventId)).toEqual([first!.eventId])
    const rows = await outboxRows()
    expect(rows.map((r) => [r.event_id, r.published_at !== null, r.attempts])).toEqual([
      [first!.eventId, true, 0],
      [second!.eventId, false, 0],
    ])
  })

  it("prunes published rows past the retention period, in chunks, and nothing else", async () => {
    const user = newUserId()
    await appendEvents(db.url, user, 4)
    await queryRows(
      db.url,
      `UPDATE outbox SET published_at = now() - (CASE (id - (SELECT min(id) FROM outbox))
         WHEN 0 THEN interval '91 days' WHEN 1 THEN interval '120 days' WHEN 2 THEN interval '89 days' END)
       WHERE id - (SELECT min(id) FROM outbox) < 3`,
    )
    const pruned = await pruneOutbox(90).pipe(Effect.provide(database(db.url)), Effect.runPromise)
    expect(pruned).toBe(2)
    const left = await queryRows<{ pending: boolean }>(
      db.url,
      "SELECT published_at IS NULL AS pending FROM outbox ORDER BY id",
    )
    expect(left.map((r) => r.pending)).toEqual([false, true])
  })

  it("prunes chunk after chunk while chunks come back full", async () => {
    // 12 000 expired rows: two full chunks of 5 000 and a short one.
    await queryRows(
      db.url,
      `INSERT INTO outbox (event_id, event_type, user_id, task_id, payload, correlation_id, published_at)
       SELECT gen_random_uuid(), 'tasks.deleted', gen_random_uuid(), gen_random_uuid(), '{}', 'c',
              now() - interval '100 days'
       FROM generate_series(1, 12000)`,
    )
    const pruned = await pruneOutbox(90).pipe(Effect.provide(database(db.url)), Effect.runPromise)
    expect(pruned).toBe(12_000)
    expect(await queryRows(db.url, "SELECT 1 FROM outbox")).toHaveLength(0)
  })

  it("append takes the user's lock itself: a second writer of the same user waits for the first to commit", async () => {
    const user = newUserId()
    const committed: Array<string> = []
    const appendAs = (title: string) =>
      Effect.gen(function* () {
        const outbox = yield* Outbox
        return yield* outbox.append({
          eventType: "tasks.created",
          taskId: randomUUID(),
          userId: user,
          title,
          priority: "medium",
          dueDate: null,
          recurring: false,
        })
      })
    /** Whether a session of this database is waiting for a lock (B, on A's advisory lock). */
    const someoneWaits = Effect.gen(function* () {
      const sql = yield* SqlClient
      const rows = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`
      return rows[0]!.n > 0
    })
    const program = Effect.gen(function* () {
      const sql = yield* SqlClient
      const aAppended = yield* Deferred.make<void>()
      const bWaiting = yield* Deferred.make<void>()
      const bDone = yield* Deferred.make<void>()
      // A appends, then stays open until B is seen waiting on the database (or, were append not to lock, has
      // already committed); only then does it commit.
      const a = sql
        .withTransaction(
          Effect.gen(function* () {
            yield* appendAs("A")
            yield* Deferred.succeed(aAppended, undefined)
            yield* Deferred.await(bWaiting)
          }),
        )
        .pipe(Effect.andThen(Effect.sync(() => committed.push("A"))))
      // B appends (without calling lockUser) while A is open.
      const b = Deferred.await(aAppended).pipe(
        Effect.andThen(sql.withTransaction(appendAs("B"))),
        Effect.andThen(Effect.sync(() => committed.push("B"))),
        Effect.andThen(Deferred.succeed(bDone, undefined)),
      )
      const watcher = Deferred.await(aAppended).pipe(
        Effect.andThen(
          Effect.raceFirst(
            someoneWaits.pipe(
              Effect.repeat({ until: (waiting) => waiting, schedule: Schedule.spaced("5 millis") }),
            ),
            Deferred.await(bDone),
          ),
        ),
        Effect.andThen(Deferred.succeed(bWaiting, undefined)),
      )
      yield* Effect.all([a, b, watcher], { concurrency: "unbounded" })
    })
    await program.pipe(Effect.provide(Outbox.layer), Effect.provide(database(db.url)), Effect.runPromise)
    expect(committed).toEqual(["A", "B"])
    const rows = await queryRows<{ title: string }>(
      db.url,
      "SELECT payload->>'title' AS title FROM outbox WHERE user_id = $1 ORDER BY id",
      [user],
    )
    expect(rows.map((r) => r.title)).toEqual(["A", "B"])
  })
})
