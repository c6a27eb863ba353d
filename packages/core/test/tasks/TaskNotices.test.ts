import { assert, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { PgClient } from "@effect/sql-pg"
import { TestDatabaseLive } from "@todo/testkit"
import { Duration, Effect, Layer, Option, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { taskChangeNotice } from "../../src/live/UserChanges.ts"
import { TaskService } from "../../src/tasks/TaskService.ts"

const seedUser = Effect.gen(function* () {
  const sql = yield* SqlClient
  const id = randomUUID()
  yield* sql`INSERT INTO "user" (id, name, email, "emailVerified") VALUES (${id}, 'T', ${`${id}@example.com`}, false)`
  return id
})

// Real time: notifications arrive on the database's clock.
layer(TaskService.layer.pipe(Layer.provideMerge(TestDatabaseLive(3))), { excludeTestServices: true })(
  "TaskService's live-stream notices",
  (it) => {
    it.effect(
      "every write announces its task change exactly once, in the Notifier's words: the tasks trigger stays quiet",
      () =>
        Effect.gen(function* () {
          const pg = yield* PgClient.PgClient
          const tasks = yield* TaskService
          const notifications = yield* pg.listen("user_changes")
          yield* Effect.sleep(Duration.millis(100))
          const user = yield* seedUser
          // The trigger's JSON (json_build_object) is spelt differently from the Notifier's, so a notice from the
          // trigger, as well as one missing or sent twice, fails the comparison.
          const expect = (taskId: string, change: Parameters<typeof taskChangeNotice>[2]) =>
            Effect.gen(function* () {
              const first = yield* Queue.take(notifications).pipe(Effect.timeoutOption(Duration.seconds(5)))
              assert.deepStrictEqual(
                Option.map(first, (n) => n.payload),
                Option.some(taskChangeNotice(user, taskId, change).payload),
              )
            })

          const task = yield* tasks.create(user, { title: "weekly review", recurrence: "FREQ=WEEKLY" })
          yield* expect(task.id, "created")
          yield* tasks.update(user, task.id, { title: "weekly review, longer" })
          yield* expect(task.id, "updated")
          const { next } = yield* tasks.complete(user, task.id)
          assert.isNotNull(next)
          // The next occurrence is written (and announced) before the completion's event, which names it.
          yield* expect(next!.id, "created")
          yield* expect(task.id, "completed")
          yield* tasks.incomplete(user, task.id)
          yield* expect(task.id, "incomplete")
          yield* tasks.remove(user, task.id)
          yield* expect(task.id, "deleted")
          const extra = yield* Queue.take(notifications).pipe(Effect.timeoutOption(Duration.millis(300)))
          assert.deepStrictEqual(
            Option.map(extra, (n) => n.payload),
            Option.none(),
            "no second notice",
          )
        }).pipe(Effect.scoped),
    )
  },
)
