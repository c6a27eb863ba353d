import { Context, Effect, Layer, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** One PostgreSQL notification: what a trigger would have sent with `pg_notify(channel, payload)`. */
export interface Notice {
  readonly channel: string
  readonly payload: string
}

/**
 * Sends notifications *after* the writing transaction commits, in a statement of their own, instead of from a
 * trigger inside it.
 *
 * Why: PostgreSQL takes one global lock at the commit of every transaction that sent a NOTIFY and holds it until
 * that commit's WAL flush is done, so notifying commits are written one at a time and never group-committed
 * (measured with pgbench on this server: an INSERT alone 3 800 commits/s, the same with a `pg_notify` in its
 * transaction 440/s, a transaction that only notifies 5 300/s). A transaction that only notifies writes no WAL, so
 * it holds that lock for microseconds.
 *
 * Notices queue in the process and go out in batches: whatever queued while the previous batch was on its way is
 * one statement; at shutdown the queue is sent before the database client closes. A notice is lost if the process
 * dies between the commit and its batch, or if the batch's statement fails (logged): its listeners must not depend on it alone (the outbox relay sweeps; live streams refetch on
 * reconnect).
 */
export class Notifier extends Context.Service<
  Notifier,
  {
    /**
     * Queues `notices` for when the current transaction commits (at once outside a transaction); dropped if it
     * rolls back. Never waits for the database.
     */
    readonly afterCommit: (notices: ReadonlyArray<Notice>) => Effect.Effect<void>
  }
>()("@todo/runtime/Notifier") {
  static readonly layer = Layer.effect(
    Notifier,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const queue = yield* Queue.unbounded<Notice>()
      const send = (batch: ReadonlyArray<Notice>) => {
        // PostgreSQL folds identical notices within a transaction anyway; doing it here keeps the statement small
        // (a burst of writes is hundreds of identical relay wake-ups).
        const unique = new Map<string, Notice>()
        for (const n of batch) unique.set(`${n.channel}\u0000${n.payload}`, n)
        const notices = [...unique.values()]
        return sql`SELECT pg_notify(n.channel, n.payload) FROM unnest(${notices.map((n) => n.channel)}::text[], ${notices.map((n) => n.payload)}::text[]) AS n(channel, payload)`
      }
      const sendLogged = (batch: ReadonlyArray<Notice>) =>
        send(batch).pipe(
          Effect.catchCause((cause) =>
            Effect.logWarning(`could not send ${batch.length} notification(s) after commit`, cause),
          ),
        )
      // At shutdown (after the loop below is interrupted, finalizers running in reverse), whatever is still queued
      // goes out: the writes it announces have committed.
      yield* Effect.addFinalizer(() =>
        Queue.clear(queue).pipe(Effect.flatMap((rest) => (rest.length > 0 ? sendLogged(rest) : Effect.void))),
      )
      // Interruptible only while waiting: a batch taken from the queue is sent even if shutdown comes meanwhile.
      yield* Effect.uninterruptibleMask((restore) =>
        restore(Queue.takeAll(queue)).pipe(Effect.flatMap(sendLogged)),
      ).pipe(Effect.forever, Effect.forkScoped)
      return Notifier.of({
        afterCommit: (notices) =>
          notices.length === 0
            ? Effect.void
            : sql.afterCommit(Queue.offerAll(queue, notices).pipe(Effect.asVoid)),
      })
    }),
  )
}
