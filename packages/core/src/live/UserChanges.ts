import { PgClient } from "@effect/sql-pg"
import type { Notice } from "@todo/runtime"
import { Context, Effect, Layer, PubSub, Queue, type Scope, Schema, Stream } from "effect"

/** One change to a user's data, as the database announces it on the `user_changes` channel (0002_agents.sql). */
export const UserChange = Schema.Struct({
  userId: Schema.String,
  kind: Schema.Literals(["task", "suggestion", "notification"]),
  id: Schema.String,
  taskId: Schema.NullOr(Schema.String),
  change: Schema.String,
})
export type UserChange = typeof UserChange.Type

const CHANNEL = "user_changes"
const decode = Schema.decodeUnknownOption(Schema.fromJsonString(UserChange))
const encode = Schema.encodeSync(Schema.fromJsonString(UserChange))

/**
 * The notice `tasks_notify` sends for a change to a task, for a writer that quiets that trigger and sends it after
 * its commit instead (`Outbox.appendWith`'s `taskNotices`).
 */
export const taskChangeNotice = (
  userId: string,
  taskId: string,
  change: "created" | "updated" | "deleted" | "completed" | "incomplete",
): Notice => ({
  channel: CHANNEL,
  payload: encode({ userId, kind: "task", id: taskId, taskId, change }),
})

/**
 * Live changes for the `/api/stream` route. One LISTEN connection per API process feeds a PubSub; each open stream
 * subscribes and keeps its own user's changes. Triggers fire at commit, so a change appears only once it is real,
 * whichever process (or agent) made it.
 */
export class UserChanges extends Context.Service<
  UserChanges,
  {
    /**
     * Subscribes now, for the scope's lifetime: every change committed after this effect completes is in the stream
     * (a client that refetches once it is told the stream is open misses nothing).
     */
    readonly subscribe: (userId: string) => Effect.Effect<Stream.Stream<UserChange>, never, Scope.Scope>
  }
>()("@todo/core/UserChanges") {
  static readonly layer = Layer.effect(
    UserChanges,
    Effect.gen(function* () {
      const pg = yield* PgClient.PgClient
      const pubsub = yield* PubSub.sliding<UserChange>(1024)
      const notifications = yield* pg.listen(CHANNEL)
      yield* Queue.take(notifications).pipe(
        Effect.flatMap((n) => {
          const change = decode(n.payload)
          return change._tag === "Some" ? PubSub.publish(pubsub, change.value) : Effect.void
        }),
        Effect.forever,
        Effect.catchCause((cause) =>
          Effect.logWarning("user_changes LISTEN stopped; live updates are off", cause),
        ),
        Effect.forkScoped,
      )
      return UserChanges.of({
        subscribe: (userId) =>
          Effect.map(PubSub.subscribe(pubsub), (subscription) =>
            Stream.fromSubscription(subscription).pipe(Stream.filter((c) => c.userId === userId)),
          ),
      })
    }),
  )
}
