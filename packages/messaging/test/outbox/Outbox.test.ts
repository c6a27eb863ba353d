import { assert, layer } from "@effect/vitest"
import { TestDatabaseLive } from "@todo/testkit"
import { Deferred, Effect, Layer, Tracer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { Outbox } from "../../src/outbox/Outbox.ts"
import { newUserId } from "./support.ts"

const rows = Effect.gen(function* () {
  const sql = yield* SqlClient
  return yield* sql<{ event_id: string; published: boolean; attempts: number; last_error: string | null }>`
    SELECT event_id::text, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY id`
})

/** The client, the outbox, and a table for appendWith's change to write to (n must be positive). */
const withChangeTable = Effect.gen(function* () {
  const sql = yield* SqlClient
  yield* sql`CREATE TABLE IF NOT EXISTS outbox_with_change (id uuid PRIMARY KEY, n int CHECK (n > 0))`
  return { sql, outbox: yield* Outbox }
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

  it.effect(
    "appendWith writes the change and its event in one statement: both or neither, the change's rows answered",
    () =>
      Effect.gen(function* () {
        const { sql, outbox } = yield* withChangeTable
        const user = newUserId()
        const event = (taskId: string) => ({ eventType: "tasks.deleted", taskId, userId: user }) as const
        const id = newUserId()
        const { event: written, rows: changed } = yield* outbox.appendWith(
          event(id),
          sql<{ id: string; n: number }>`INSERT INTO outbox_with_change VALUES (${id}, 1) RETURNING id, n`,
        )
        assert.deepStrictEqual(changed, [{ id, n: 1 }])
        const [stored] = yield* sql<{ payload: unknown }>`SELECT payload FROM outbox WHERE user_id = ${user}`
        assert.deepStrictEqual(stored!.payload, written)

        // The change fails (the CHECK): the event is not written either.
        const failed = newUserId()
        const result = yield* outbox
          .appendWith(event(failed), sql`INSERT INTO outbox_with_change VALUES (${failed}, 0) RETURNING id`)
          .pipe(Effect.result)
        assert.strictEqual(result._tag, "Failure")
        const left = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM outbox WHERE user_id = ${user} AND task_id = ${failed}`
        assert.strictEqual(left[0]!.n, 0)
      }),
  )

  it.effect(
    "appendWith takes the user's lock: it waits for a transaction holding it, and its event comes after",
    () =>
      Effect.gen(function* () {
        const { sql, outbox } = yield* withChangeTable
        // Both of the pool's connections open before the race: one opened under the test clock would wait for
        // time that does not pass.
        yield* Effect.all([sql`SELECT pg_sleep(0.05)`, sql`SELECT pg_sleep(0.05)`], { concurrency: 2 })
        const user = newUserId()
        const holding = yield* Deferred.make<void>()
        const first = newUserId()
        const second = newUserId()
        // The holder takes the lock, waits until the writer is seen waiting on a lock (polled on its own connection, one
        // round trip after another, at most 20 000 times: were appendWith not to lock, the writer would have
        // finished long before), then appends and commits.
        const waiting = sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.pipe(
          Effect.repeat({ until: (rows) => rows[0]!.n > 0, times: 20_000 }),
        )
        let writerSeenWaiting = false
        const holder = sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(user)
            yield* Deferred.succeed(holding, undefined)
            const [seen] = yield* waiting
            writerSeenWaiting = seen!.n > 0
            yield* outbox.append({ eventType: "tasks.deleted", taskId: first, userId: user })
          }),
        )
        const writer = Deferred.await(holding).pipe(
          Effect.andThen(
            outbox.appendWith(
              { eventType: "tasks.deleted", taskId: second, userId: user },
              sql`INSERT INTO outbox_with_change VALUES (${second}, 1) RETURNING id`,
            ),
          ),
        )
        yield* Effect.all([holder, writer], { concurrency: "unbounded" })
        // What the database saw, not which answer JavaScript read first (the two arrive on different connections in
        // either order): the writer was waiting on the lock while the holder held it, and its event came after.
        assert.isTrue(writerSeenWaiting, "appendWith waited on the user's lock")
        const order = yield* sql<{ task_id: string }>`
        SELECT task_id::text FROM outbox WHERE user_id = ${user} ORDER BY id`
        assert.deepStrictEqual(
          order.map((r) => r.task_id),
          [first, second],
        )
      }),
  )
})
