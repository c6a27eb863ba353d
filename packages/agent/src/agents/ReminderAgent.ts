import { CurrentActor, HandlerRegistry, Outbox, withNewCorrelationId } from "@todo/messaging"
import { Notifications, UserSettings } from "@todo/core"
import { Clock, Context, Duration, Effect, Layer, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { AgentConfig } from "./AgentConfig.ts"

interface DueReminder {
  readonly id: string
  readonly user_id: string
  readonly title: string
  readonly due_date: Date | null
  readonly remind_at: Date
}

const when = (iso: Date, timezone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(iso)

/**
 * The reminder agent: a fiber that sleeps until the next `remindAt` of any open task and fires it to the second:
 * it records a notification and publishes `tasks.reminder` (through the outbox). Task changes re-plan the sleep.
 * A reminder fires once, also across restarts and with several replicas: firing means inserting its
 * `(task, remind_at)` row in `reminders_fired`, which only one transaction can do. A reminder missed while no agent
 * ran fires when one starts, if it is not older than the grace period.
 */
export class ReminderAgent extends Context.Service<
  ReminderAgent,
  {
    /** Fires every reminder due by now; returns how many this instance fired. */
    readonly fireDue: Effect.Effect<number, SqlError>
    /** The next reminder time after now, if any. */
    readonly nextAt: Effect.Effect<Date | undefined, SqlError>
    /** Wakes the scheduler to re-read the plan (a task's reminder changed). */
    readonly replan: Effect.Effect<void>
    /** Completes at the next re-plan signal. */
    readonly replanned: Effect.Effect<void>
  }
>()("@todo/agent/ReminderAgent") {
  static readonly layer = Layer.effect(
    ReminderAgent,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const notifications = yield* Notifications
      const settings = yield* UserSettings
      const config = yield* AgentConfig
      const wake = yield* Queue.sliding<void>(1)
      const graceMs = Duration.toMillis(config.reminderGrace)

      const fireDue = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const due = yield* sql<DueReminder>`
          SELECT t.id, t.user_id, t.title, t.due_date, t.remind_at FROM tasks t
          WHERE NOT t.completed AND t.remind_at IS NOT NULL
            AND t.remind_at <= ${new Date(now)} AND t.remind_at > ${new Date(now - graceMs)}
            AND NOT EXISTS (SELECT 1 FROM reminders_fired f WHERE f.task_id = t.id AND f.remind_at = t.remind_at)
          ORDER BY t.remind_at LIMIT 500`
        let fired = 0
        for (const r of due) {
          const won = yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* outbox.lockUser(r.user_id)
              const claimed = yield* sql`
                INSERT INTO reminders_fired (task_id, remind_at) VALUES (${r.id}, ${r.remind_at})
                ON CONFLICT DO NOTHING RETURNING task_id`
              if (claimed.length === 0) return false
              const { timezone } = yield* settings.get(r.user_id)
              yield* notifications.create({
                userId: r.user_id,
                taskId: r.id,
                title: r.title,
                message: r.due_date
                  ? `"${r.title}" is due ${when(r.due_date, timezone)}.`
                  : `Reminder: "${r.title}".`,
              })
              yield* outbox.append({
                eventType: "tasks.reminder",
                taskId: r.id,
                userId: r.user_id,
                remindAt: r.remind_at.toISOString(),
              })
              return true
            }),
          )
          if (won) {
            fired++
            yield* Effect.logDebug(`reminder: fired for task ${r.id} (remindAt ${r.remind_at.toISOString()})`)
          }
        }
        return fired
      }).pipe(Effect.provideService(CurrentActor, "agent"), Effect.withSpan("ReminderAgent.fireDue"))

      const nextAt = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const [row] = yield* sql<{ remind_at: Date }>`
          SELECT t.remind_at FROM tasks t
          WHERE NOT t.completed AND t.remind_at IS NOT NULL AND t.remind_at > ${new Date(now)}
          ORDER BY t.remind_at LIMIT 1`
        return row?.remind_at
      })

      return ReminderAgent.of({
        fireDue,
        nextAt,
        replan: Queue.offer(wake, undefined).pipe(Effect.asVoid),
        replanned: Queue.take(wake),
      })
    }),
  )

  /** The scheduler fiber and the handlers that re-plan it. */
  static readonly live = Layer.effectDiscard(
    Effect.gen(function* () {
      const agent = yield* ReminderAgent
      const registry = yield* HandlerRegistry
      const config = yield* AgentConfig
      const replan = () => agent.replan
      // The created event does not carry `remindAt` (a task may have a reminder and no due date): every new task
      // re-plans. Cheap: one indexed query, and a burst of creations collapses into one wake-up (a sliding queue).
      registry.register("tasks.created", "ReminderAgent.replan", () => replan())
      registry.register("tasks.updated", "ReminderAgent.replan", (e) =>
        "remindAt" in e.changes ? replan() : Effect.void,
      )
      registry.register("tasks.incomplete", "ReminderAgent.replan", () => replan())

      // Sleep until the next reminder (to the millisecond), a re-plan signal, or the periodic re-read, whichever
      // comes first; then fire whatever is due.
      const cycle = Effect.gen(function* () {
        // The reminders one tick fires share a correlation id, fresh per tick.
        yield* withNewCorrelationId(() => agent.fireDue)
        const next = yield* agent.nextAt
        const now = yield* Clock.currentTimeMillis
        const replanMs = Duration.toMillis(config.reminderReplan)
        const sleepMs = next === undefined ? replanMs : Math.min(replanMs, Math.max(0, next.getTime() - now))
        yield* Effect.raceFirst(Effect.sleep(Duration.millis(sleepMs)), agent.replanned)
      }).pipe(
        Effect.catchCause((cause) =>
          Effect.logError("reminder scheduler failed", cause).pipe(Effect.andThen(Effect.sleep("1 second"))),
        ),
      )

      yield* Effect.forever(cycle).pipe(Effect.forkScoped)
    }),
  )
}
