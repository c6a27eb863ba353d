import { assert, layer } from "@effect/vitest"
import { TestDatabaseLive } from "@todo/testkit"
import { Effect, Layer, Tracer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { Outbox } from "../../src/outbox/Outbox.ts"
import { newUserId } from "./support.ts"

const rows = Effect.gen(function* () {
  const sql = yield* SqlClient
  return yield* sql<{ event_id: string; published: boolean; attempts: number; last_error: string | null }>`
    SELECT event_id::text, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY id`
})

layer(Outbox.layer.pipe(Layer.provideMerge(TestDatabaseLive(2))))("Outbox", (it) => {
  it.effect("stores the writing span's trace context with the event", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const traceId = "0af7651916cd43dd8448eb211c80319c"
      const parent = Tracer.externalSpan({ traceId, spanId: "b7ad6b7169203331", sampled: true })
      const user = newUserId()
      yield* sql
        .withTransaction(outbox.append({ eventType: "tasks.deleted", taskId: newUserId(), userId: user }))
        .pipe(Effect.withSpan("request", { parent }))
      const [row] = yield* sql<{
        traceparent: string
      }>`SELECT traceparent FROM outbox WHERE user_id = ${user}`
      assert.match(row!.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    }),
  )

  it.effect(
    "requeue puts an event back to pending under its original id, or writes it anew if it was pruned",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const outbox = yield* Outbox
        yield* sql`DELETE FROM outbox`
        const event = yield* sql.withTransaction(
          outbox.append({
            eventType: "tasks.created",
            taskId: newUserId(),
            userId: newUserId(),
            title: "task 0",
            priority: "medium",
            dueDate: null,
            recurring: false,
          }),
        )
        yield* sql`UPDATE outbox SET published_at = now(), attempts = 3, last_error = 'x'`
        const pending = [{ event_id: event.eventId, published: false, attempts: 0, last_error: null }]

        yield* outbox.requeue(event)
        assert.deepStrictEqual(yield* rows, pending)

        yield* sql`DELETE FROM outbox`
        yield* outbox.requeue(event)
        assert.deepStrictEqual(yield* rows, pending)
        const [stored] = yield* sql<{ payload: unknown }>`SELECT payload FROM outbox`
        assert.deepStrictEqual(stored!.payload, event)
      }),
  )
})
