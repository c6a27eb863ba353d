import { CurrentActor, HandlerRegistry, Outbox, withNewCorrelationId } from "@todo/messaging"
import { type NewSuggestion, SuggestionRepo } from "@todo/core"
import { Clock, Context, Duration, Effect, Layer, Metric, Schedule } from "effect"
import { sweepDuration } from "@todo/runtime"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { overdueSuggestion } from "../decisions/Overdue.ts"
import { AgentConfig, type Trigger, userBudgets } from "./AgentConfig.ts"

interface Candidate {
  readonly id: string
  readonly user_id: string
  readonly title: string
  readonly due_date: Date
  readonly timezone: string
}

export interface OverdueRun {
  readonly noticed: number
  readonly suggested: number
}

/**
 * The overdue agent. An open task past its due date gets one `tasks.overdue` event per due date (through the
 * outbox) and one pending `overdue` suggestion proposing the next working day at the same local time in the
 * user's zone. It runs on `tasks.created` and on `tasks.updated` that moves a due date, and sweeps every 5 minutes
 * in case an event was missed. Both paths are the same set-based SQL (the event path restricted to one task), so a
 * sweep racing an event, or two replicas, still produce one suggestion: the database's unique pending index decides.
 * It respects the user's agents switch and the per-user hourly budget, and does not suggest again for a task the
 * user already answered until the task changes.
 */
export class OverdueAgent extends Context.Service<
  OverdueAgent,
  { readonly run: (trigger: Trigger, taskIds?: ReadonlyArray<string>) => Effect.Effect<OverdueRun, SqlError> }
>()("@todo/agent/OverdueAgent") {
  static readonly layer = Layer.effect(
    OverdueAgent,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const outbox = yield* Outbox
      const suggestions = yield* SuggestionRepo
      const config = yield* AgentConfig

      const run = Effect.fn("OverdueAgent.run")(function* (
        trigger: Trigger,
        taskIds?: ReadonlyArray<string>,
      ) {
        const now = new Date(yield* Clock.currentTimeMillis)
        const only = taskIds === undefined ? sql`` : sql`AND t.id IN ${sql.in(taskIds)}`
        return yield* sql
          .withTransaction(
            Effect.gen(function* () {
              // Users first, tasks second: the lock order every writer keeps (Outbox.lockUsers).
              const users = yield* sql<{ user_id: string }>`
                SELECT DISTINCT t.user_id FROM tasks t WHERE NOT t.completed AND t.due_date < ${now} ${only}`
              const locked = users.map((u) => u.user_id)
              yield* outbox.lockUsers(locked)
              // Only the users locked above: a task that turned overdue since that read (a PATCH moving its due date)
              // belongs to a user whose lock we don't hold, and touching its row first (the notice's foreign key
              // takes a key-share lock) and then waiting for that user's lock deadlocks with the PATCH, which holds
              // the lock and waits for the row. The next event or sweep notices it.
              const mine = sql`AND t.user_id = ANY(${locked}::uuid[])`
              // One tasks.overdue per task and due date, whoever notices first.
              const noticed = yield* sql<{ task_id: string; user_id: string; due_date: Date }>`
              WITH fresh AS (
                INSERT INTO overdue_notices (task_id, due_date)
                SELECT t.id, t.due_date FROM tasks t
                WHERE NOT t.completed AND t.due_date < ${now} ${only} ${mine}
                ON CONFLICT DO NOTHING RETURNING task_id, due_date)
              SELECT f.task_id, t.user_id, f.due_date FROM fresh f JOIN tasks t ON t.id = f.task_id
              ORDER BY t.user_id, f.task_id`
              yield* outbox.appendMany(
                noticed.map((n) => ({
                  eventType: "tasks.overdue" as const,
                  taskId: n.task_id,
                  userId: n.user_id,
                  dueDate: n.due_date.toISOString(),
                })),
              )

              const candidates = yield* sql<Candidate>`
              WITH overdue AS (
                SELECT t.id, t.user_id, t.title, t.due_date FROM tasks t
                WHERE NOT t.completed AND t.due_date < ${now} ${only} ${mine}
                  AND NOT EXISTS (
                    SELECT 1 FROM suggestions x WHERE x.task_id = t.id AND x.type = 'overdue'
                      AND (x.status = 'pending' OR x.created_at >= t.updated_at))),
              budgets AS (${userBudgets(sql, sql`SELECT DISTINCT user_id FROM overdue`, now.getTime(), config.suggestionsPerHour)})
              SELECT id, user_id, title, due_date, timezone FROM (
                SELECT o.*, b.timezone, b.budget,
                       row_number() OVER (PARTITION BY o.user_id ORDER BY o.due_date, o.id) AS n
                FROM overdue o JOIN budgets b ON b.user_id = o.user_id) c
              WHERE n <= budget`
              const proposals: Array<NewSuggestion> = candidates.flatMap((c) => {
                const decision = overdueSuggestion(
                  { title: c.title, completed: false, dueDate: c.due_date.toISOString() },
                  c.timezone,
                  now,
                )
                return decision === null
                  ? []
                  : [
                      {
                        userId: c.user_id,
                        taskId: c.id,
                        type: "overdue" as const,
                        message: decision.message,
                        proposedChange: { dueDate: decision.dueDate },
                        sourceEvent: trigger.sourceEvent,
                        correlationId: trigger.correlationId,
                      },
                    ]
              })
              const inserted = yield* suggestions.insertPendingMany(proposals)
              for (const s of inserted) {
                yield* Effect.logDebug(
                  `overdue: suggested moving task ${s.taskId} to ${s.proposedChange.dueDate} (${trigger.sourceEvent})`,
                )
              }
              return { noticed: noticed.length, suggested: inserted.length }
            }),
          )
          .pipe(Effect.provideService(CurrentActor, "agent"))
      })

      return OverdueAgent.of({ run })
    }),
  )

  /** The agent's event handlers and its sweep schedule. */
  static readonly live = Layer.effectDiscard(
    Effect.gen(function* () {
      const agent = yield* OverdueAgent
      const registry = yield* HandlerRegistry
      const config = yield* AgentConfig
      const sql = yield* SqlClient

      registry.register("tasks.created", "OverdueAgent.onTaskCreated", (event) =>
        event.dueDate === null
          ? Effect.void
          : agent.run({ sourceEvent: event.eventType, correlationId: event.correlationId }, [event.taskId]),
      )
      registry.register("tasks.updated", "OverdueAgent.onTaskUpdated", (event) => {
        const change = event.changes.dueDate
        if (change === undefined) return Effect.void
        if (typeof change.to === "string") {
          return agent.run({ sourceEvent: event.eventType, correlationId: event.correlationId }, [
            event.taskId,
          ])
        }
        return Effect.void
      })
      // A due date moved into the future (or cleared) retires the pending proposal to move it.
      registry.register("tasks.updated", "OverdueAgent.onDueDateMoved", (event) => {
        const change = event.changes.dueDate
        if (change === undefined) return Effect.void
        return Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          if (change.to === null || (typeof change.to === "string" && Date.parse(change.to) >= now)) {
            yield* sql`
              UPDATE suggestions SET status = 'withdrawn', resolved_at = now()
              WHERE task_id = ${event.taskId} AND type = 'overdue' AND status = 'pending'`
          }
        })
      })

      // Each run of the sweep is its own unit of work, with a correlation id of its own.
      yield* withNewCorrelationId((correlationId) =>
        agent.run({ sourceEvent: "schedule", correlationId }),
      ).pipe(
        Effect.tap((r) =>
          r.noticed + r.suggested > 0
            ? Effect.logInfo(`overdue sweep: ${r.noticed} newly overdue, ${r.suggested} suggestions`)
            : Effect.void,
        ),
        Effect.catchCause((cause) => Effect.logError("overdue sweep failed", cause)),
        Effect.timed,
        Effect.tap(([d]) =>
          Metric.update(Metric.withAttributes(sweepDuration, { agent: "overdue" }), Duration.toMillis(d)),
        ),
        Effect.repeat(Schedule.spaced(config.overdueSweep)),
        Effect.delay(config.overdueSweepStart),
        Effect.forkScoped,
      )
    }),
  )
}
