import { randomUUID } from "node:crypto"
import { EVENT_SCHEMA_VERSION, TASKS_DLQ_TOPIC } from "@todo/contracts"
import { assert, layer } from "@effect/vitest"
import { TestDatabaseLive } from "@todo/testkit"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { DeadLetters } from "../../src/deadletters/DeadLetters.ts"

/** A CloudEvent as the dead-letter topic delivers it, carrying a valid task event. */
const envelope = () => {
  const eventId = randomUUID()
  const data = {
    eventType: "tasks.deleted",
    eventId,
    taskId: randomUUID(),
    userId: randomUUID(),
    correlationId: "corr-dl",
    timestamp: "2026-01-01T00:00:00.000Z",
    schemaVersion: EVENT_SCHEMA_VERSION,
    actor: "user",
  }
  return { id: eventId, source: "todo-api", type: "tasks.deleted", specversion: "1.0", data }
}

const park = (env: object, attempts = 0, error = "given by the transport") =>
  DeadLetters.use((d) => d.park({ envelope: env, topic: TASKS_DLQ_TOPIC, error, attempts }))

layer(Layer.provideMerge(DeadLetters.layer, TestDatabaseLive(4)))("dead letters", (it) => {
  it.effect(
    "park takes the consumer's own failure record over the transport's, and keeps one row per event",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const env = envelope()
        yield* sql`
        INSERT INTO delivery_failures (consumer, event_id, attempts, last_error)
        VALUES ('todo-agent', ${env.id}, 6, 'handler failed: boom')`
        const first = yield* park(env)
        assert.strictEqual(first.eventId, env.id)
        assert.strictEqual(first.eventType, "tasks.deleted")
        assert.deepStrictEqual([first.attempts, first.error], [6, "handler failed: boom"])
        assert.deepStrictEqual(first.event, env)

        // The transport delivering the same dead letter again changes nothing but when it was last seen.
        const again = yield* park(env)
        assert.strictEqual(again.id, first.id)
        assert.strictEqual(again.attempts, 6)

        // Without a record of its own, what the transport says.
        const other = yield* park(envelope(), 1, "not a CloudEvent")
        assert.deepStrictEqual([other.attempts, other.error], [1, "not a CloudEvent"])
      }),
  )

  it.effect("a body that carried no id is parked under an id of its own", () =>
    Effect.gen(function* () {
      const parked = yield* park({ raw: "not json {" }, 0, "the body is not JSON")
      assert.match(parked.eventId, /^unidentified-/)
      assert.isNull(parked.eventType)
    }),
  )

  it.effect("lists newest first, page after page, each letter once", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      yield* sql`DELETE FROM dead_letters`
      for (let i = 0; i < 5; i++) yield* park(envelope())
      const deadLetters = yield* DeadLetters
      const seen: Array<string> = []
      let page = yield* deadLetters.list({ limit: 2 })
      const sizes = [page.items.length]
      seen.push(...page.items.map((d) => d.id))
      while (page.next !== null) {
        page = yield* deadLetters.list({ limit: 2, after: page.next })
        sizes.push(page.items.length)
        seen.push(...page.items.map((d) => d.id))
      }
      assert.deepStrictEqual(sizes, [2, 2, 1])
      assert.strictEqual(new Set(seen).size, 5)
      const order = yield* sql<{
        id: string
      }>`SELECT id FROM dead_letters ORDER BY last_seen_at DESC, id DESC`
      assert.deepStrictEqual(
        seen,
        order.map((r) => r.id),
      )
    }),
  )

  it.effect(
    "replay re-enqueues the event through the outbox under its original id; a new failure re-parks it",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const deadLetters = yield* DeadLetters
        const env = envelope()
        const parked = yield* park(env, 6)
        const replayed = yield* deadLetters.replay(parked.id)
        assert.isNotNull(replayed.replayedAt)
        const outbox = yield* sql<{ event_id: string; pending: boolean; correlation_id: string }>`
        SELECT event_id::text, published_at IS NULL AS pending, correlation_id FROM outbox WHERE event_id = ${env.id}`
        assert.deepStrictEqual(outbox, [{ event_id: env.id, pending: true, correlation_id: "corr-dl" }])

        // Failing again after the replay (more attempts in all) clears replayedAt.
        const reparked = yield* park(env, 7)
        assert.isNull(reparked.replayedAt)
        assert.strictEqual(reparked.attempts, 7)
      }),
  )

  it.effect("replay refuses an envelope without a task event, and unknown ids are not found", () =>
    Effect.gen(function* () {
      const deadLetters = yield* DeadLetters
      const parked = yield* park({ id: randomUUID(), data: { eventType: "tasks.unknown" } })
      const refused = yield* deadLetters.replay(parked.id).pipe(Effect.flip)
      assert.strictEqual(refused._tag, "DeadLetterNotReplayable")
      const missing = yield* deadLetters.replay(randomUUID()).pipe(Effect.flip)
      assert.strictEqual(missing._tag, "DeadLetterNotFound")
      assert.strictEqual(
        (yield* deadLetters.replay("not-a-uuid").pipe(Effect.flip))._tag,
        "DeadLetterNotFound",
      )
    }),
  )

  it.effect("find and remove", () =>
    Effect.gen(function* () {
      const deadLetters = yield* DeadLetters
      const parked = yield* park(envelope())
      assert.strictEqual(Option.getOrThrow(yield* deadLetters.find(parked.id)).eventId, parked.eventId)
      yield* deadLetters.remove(parked.id)
      assert.isTrue(Option.isNone(yield* deadLetters.find(parked.id)))
      assert.strictEqual((yield* deadLetters.remove(parked.id).pipe(Effect.flip))._tag, "DeadLetterNotFound")
    }),
  )
})
