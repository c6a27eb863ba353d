import { Outbox } from "../../src/outbox/Outbox.ts"
import { createTestDatabase, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { Effect, Tracer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { appendEvents, database, newUserId } from "./support.ts"

describe("Outbox", () => {
  let db: TestDatabaseHandle
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  const rows = () =>
    queryRows<{ event_id: string; published: boolean; attempts: number; last_error: string | null }>(
      db.url,
      "SELECT event_id::text, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY id",
    )

  it("stores the writing span's trace context with the event", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c"
    const parent = Tracer.externalSpan({ traceId, spanId: "b7ad6b7169203331", sampled: true })
    const user = newUserId()
    await Effect.gen(function* () {
      const outbox = yield* Outbox
      yield* outbox.append({
        eventType: "tasks.deleted",
        taskId: newUserId(),
        userId: user,
      })
    }).pipe(
      Effect.withSpan("request", { parent }),
      Effect.provide(Outbox.layer),
      Effect.provide(database(db.url)),
      Effect.runPromise,
    )
    const [row] = await queryRows<{ traceparent: string }>(
      db.url,
      "SELECT traceparent FROM outbox WHERE user_id = $1",
      [user],
    )
    expect(row!.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
  })

  it("requeue puts an event back to pending under its original id, or writes it anew if it was pruned", async () => {
    await queryRows(db.url, "DELETE FROM outbox")
    const [event] = await appendEvents(db.url, newUserId(), 1)
    await queryRows(db.url, "UPDATE outbox SET published_at = now(), attempts = 3, last_error = 'x'")
    const requeue = () =>
      Effect.gen(function* () {
        yield* (yield* Outbox).requeue(event!)
      }).pipe(Effect.provide(Outbox.layer), Effect.provide(database(db.url)), Effect.runPromise)

    await requeue()
    expect(await rows()).toEqual([
      { event_id: event!.eventId, published: false, attempts: 0, last_error: null },
    ])

    await queryRows(db.url, "DELETE FROM outbox")
    await requeue()
    expect(await rows()).toEqual([
      { event_id: event!.eventId, published: false, attempts: 0, last_error: null },
    ])
    const [payload] = await queryRows<{ payload: unknown }>(db.url, "SELECT payload FROM outbox")
    expect(payload!.payload).toEqual(event)
  })
})
