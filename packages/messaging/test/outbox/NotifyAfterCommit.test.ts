import { assert, layer } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { type Notice, Notifier } from "@todo/runtime"
import { TestDatabaseLive } from "@todo/testkit"
import { Duration, Effect, Layer, Option, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { Outbox } from "../../src/outbox/Outbox.ts"
import { newUserId } from "./support.ts"

/** What the Notifier was handed, and when: the outbox's own trigger is the other way a notice could arrive. */
const handedOver: Array<Notice> = []
const Recorded = Layer.effect(
  Notifier,
  Effect.gen(function* () {
    const sql = yield* SqlClient
    return Notifier.of({
      afterCommit: (notices) => sql.afterCommit(Effect.sync(() => handedOver.push(...notices))),
    })
  }),
)
/** What the Notifier is handed from now on (each test starts afresh). */
const handedOverFromNow = Effect.sync(() => {
  handedOver.length = 0
  return handedOver
})

/** The first notification on `channel` within `within`, if any: PostgreSQL delivers one at its sender's commit. */
const firstOn = (channel: string) =>
  Effect.gen(function* () {
    const pg = yield* PgClient.PgClient
    const queue = yield* pg.listen(channel)
    // LISTEN is in place once the connection answered it; a notification sent after this point is delivered.
    yield* Effect.sleep(Duration.millis(100))
    return (within: Duration.Input) =>
      Queue.take(queue).pipe(
        Effect.map((n) => n.payload),
        Effect.timeoutOption(within),
      )
  })

const created = (userId: string, taskId: string) =>
  ({
    eventType: "tasks.created",
    taskId,
    userId,
    title: "t",
    priority: "medium",
    dueDate: null,
    recurring: false,
  }) as const

// Real time: notifications arrive (or not) on the database's clock, so these tests wait on the live one.
layer(
  Outbox.layerWithoutDependencies.pipe(Layer.provideMerge(Recorded), Layer.provideMerge(TestDatabaseLive(3))),
  {
    excludeTestServices: true,
  },
)("Outbox notifies after commit", (it) => {
  it.effect(
    "an append's transaction sends no NOTIFY; the relays' wake-up is handed over once it commits",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const outbox = yield* Outbox
        const sent = yield* handedOverFromNow
        const next = yield* firstOn("outbox")
        const user = newUserId()
        yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.append({ eventType: "tasks.deleted", taskId: newUserId(), userId: user })
            assert.deepStrictEqual(sent, [], "nothing is handed over before the commit")
          }),
        )
        assert.deepStrictEqual(sent, [{ channel: "outbox", payload: "" }])
        assert.isTrue(Option.isNone(yield* next(Duration.millis(300))), "the outbox trigger stayed quiet")
      }).pipe(Effect.scoped),
  )

  it.effect("a rolled-back append hands nothing over", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const sent = yield* handedOverFromNow
      const failed = yield* sql
        .withTransaction(
          outbox
            .append({ eventType: "tasks.deleted", taskId: newUserId(), userId: newUserId() })
            .pipe(Effect.andThen(Effect.fail("rollback" as const))),
        )
        .pipe(Effect.flip)
      assert.strictEqual(failed, "rollback")
      assert.deepStrictEqual(sent, [])
    }),
  )

  it.effect(
    "appendWith with task notices quiets tasks_notify too, and hands over both after its commit",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const outbox = yield* Outbox
        const sent = yield* handedOverFromNow
        const changes = yield* firstOn("user_changes")
        const wakes = yield* firstOn("outbox")
        const user = yield* sql<{ id: string }>`
          INSERT INTO "user" (name, email, "emailVerified") VALUES ('n', ${`${newUserId()}@example.test`}, true)
          RETURNING id::text`.pipe(Effect.map(([row]) => row!.id))
        const taskId = newUserId()
        const notice = { channel: "user_changes", payload: `{"taskId":"${taskId}"}` }
        const { rows } = yield* outbox.appendWith(
          created(user, taskId),
          sql<{
            id: string
          }>`INSERT INTO tasks (id, user_id, title) VALUES (${taskId}, ${user}, 't') RETURNING id::text`,
          [notice],
        )
        assert.deepStrictEqual(rows, [{ id: taskId }])
        assert.deepStrictEqual(sent, [{ channel: "outbox", payload: "" }, notice])
        assert.isTrue(Option.isNone(yield* changes(Duration.millis(300))), "tasks_notify stayed quiet")
        assert.isTrue(Option.isNone(yield* wakes(Duration.millis(50))), "the outbox trigger stayed quiet")
      }).pipe(Effect.scoped),
  )

  it.effect("a writer that does not opt in still gets the triggers' notifications at commit", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const wakes = yield* firstOn("outbox")
      const user = newUserId()
      yield* sql`
          INSERT INTO outbox (event_id, event_type, user_id, task_id, payload, correlation_id)
          VALUES (gen_random_uuid(), 'tasks.deleted', ${user}, gen_random_uuid(), '{}'::jsonb, 'c')`
      assert.deepStrictEqual(yield* wakes(Duration.seconds(5)), Option.some(""))
    }).pipe(Effect.scoped),
  )
})

layer(Notifier.layer.pipe(Layer.provideMerge(TestDatabaseLive(3))), { excludeTestServices: true })(
  "Notifier",
  (it) => {
    it.effect(
      "sends after the transaction commits, nothing for one that rolls back, at once outside one",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient
          const notifier = yield* Notifier
          const next = yield* firstOn("notifier_test")
          const notice = (payload: string) => [{ channel: "notifier_test", payload }]

          yield* sql
            .withTransaction(
              notifier.afterCommit(notice("rolled back")).pipe(Effect.andThen(Effect.fail("no"))),
            )
            .pipe(Effect.ignore)
          const during = yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* notifier.afterCommit(notice("committed"))
              // Not before the commit: nothing may arrive while the transaction is open.
              return yield* next(Duration.millis(200))
            }),
          )
          assert.isTrue(Option.isNone(during))
          assert.deepStrictEqual(yield* next(Duration.seconds(5)), Option.some("committed"))

          yield* notifier.afterCommit(notice("outside"))
          assert.deepStrictEqual(yield* next(Duration.seconds(5)), Option.some("outside"))
          assert.isTrue(Option.isNone(yield* next(Duration.millis(200))), "the rolled-back notice never came")
        }).pipe(Effect.scoped),
    )

    it.effect("a burst goes out in few statements, identical notices once", () =>
      Effect.gen(function* () {
        const notifier = yield* Notifier
        const next = yield* firstOn("notifier_burst")
        yield* Effect.forEach(
          Array.from({ length: 200 }, (_, i) => i),
          (i) =>
            notifier.afterCommit([
              { channel: "notifier_burst", payload: "" },
              { channel: "notifier_burst", payload: String(i) },
            ]),
          { concurrency: "unbounded", discard: true },
        )
        const received: Array<string> = []
        for (;;) {
          const n = yield* next(Duration.millis(500))
          if (Option.isNone(n)) break
          received.push(n.value)
        }
        const numbers = received.filter((p) => p !== "").map(Number)
        assert.deepStrictEqual(
          numbers.sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, i) => i),
        )
        // One empty payload per statement that carried any: far fewer than the 200 offered if they were batched.
        assert.isBelow(received.filter((p) => p === "").length, 200)
      }).pipe(Effect.scoped),
    )
  },
)
