import { HandlerRegistry, Outbox, withNewCorrelationId } from "@todo/messaging"
import type { Priority } from "@todo/contracts"
import { type NewSuggestion, SuggestionRepo } from "@todo/core"
import { Clock, Context, Duration, Effect, Layer, Metric, Schedule } from "effect"
import { sweepDuration } from "@todo/runtime"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { scorePriority, shouldSuggest, userSetPriorityRecently } from "../decisions/Prioritization.ts"
import { AgentConfig, type Trigger, userBudgets } from "./AgentConfig.ts"
import { ReasonWriter } from "./ReasonWriter.ts"

interface Candidate {
  readonly id: string
  readonly user_id: string
  readonly title: string
  readonly priority: Priority
  readonly due_date: Date | null
  readonly created_at: Date
  readonly priority_set_at: Date | null
  readonly timezone: string
  readonly competing: number
  readonly budget: number
}

/**
 * The prioritization agent: scores open tasks (due proximity, age, current priority, how many tasks compete for
 * the same local day) with the pure rules in decisions/Prioritization.ts, and suggests raising or lowering a
 * priority when the score clearly disagrees with it (hysteresis keeps it from flapping), with a one-sentence
 * reason. On `tasks.created`/`tasks.updated` for that task, and a sweep every 15 minutes. Overdue tasks are left
 * to the overdue agent (a new date is the better proposal than a louder priority). Same guarantees as the
 * overdue agent: one pending suggestion per task (the database decides), the agents switch, the hourly budget,
 * no repeat after the user answered until the task changes. A priority the user set in the last 24 hours is left
 * alone (decisions/Prioritization.ts).
 */
export class PrioritizationAgent extends Context.Service<
  PrioritizationAgent,
  {
    readonly run: (
      trigger: Trigger,
      taskIds?: ReadonlyArray<string>,
    ) => Effect.Effect<number, SqlError | unknown>
  }
>()("@todo/agent/PrioritizationAgent") {
  static readonly layer = Layer.effect(
    PrioritizationAgent,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const suggestions = yield* SuggestionRepo
      const config = yield* AgentConfig
      const reasons = yield* ReasonWriter
      const outbox = yield* Outbox

      const run = Effect.fn("PrioritizationAgent.run")(function* (
        trigger: Trigger,
        taskIds?: ReadonlyArray<string>,
      ) {
        const now = yield* Clock.currentTimeMillis
        const only = taskIds === undefined ? sql`` : sql`AND t.id IN ${sql.in(taskIds)}`
        // The users in play, their zones and how many suggestions they may still get; then every open task of
        // theirs with how many other open tasks share its local due day (the competition signal).
        const candidates = yield* sql<Candidate>`
          WITH scope AS (SELECT DISTINCT t.user_id FROM tasks t WHERE NOT t.completed ${only}),
          budgets AS (${userBudgets(sql, sql`SELECT user_id FROM scope`, now, config.suggestionsPerHour)}),
          open AS (
            SELECT t.id, t.user_id, t.title, t.priority, t.due_date, t.created_at, t.updated_at, t.priority_set_at,
                   b.timezone, b.budget,
                   CASE WHEN t.due_date IS NULL THEN 0 ELSE
                     count(*) OVER (PARTITION BY t.user_id, (t.due_date AT TIME ZONE b.timezone)::date) - 1 END AS competing
            FROM tasks t JOIN budgets b ON b.user_id = t.user_id
            WHERE NOT t.completed AND b.budget > 0)
          SELECT o.id, o.user_id, o.title, o.priority, o.due_date, o.created_at, o.priority_set_at, o.timezone,
                 o.competing::int, o.budget
          FROM open o
          -- Overdue tasks are the overdue agent's: one proposal (a new date) is enough.
          WHERE (o.due_date IS NULL OR o.due_date >= ${new Date(now)})
            ${taskIds === undefined ? sql`` : sql`AND o.id IN ${sql.in(taskIds)}`}
            AND NOT EXISTS (
              SELECT 1 FROM suggestions x WHERE x.task_id = o.id AND x.type = 'priority'
                AND (x.status = 'pending' OR x.created_at >= o.updated_at))`
        const perUser = new Map<string, number>()
        const proposals: Array<NewSuggestion & { readonly from: Priority }> = []
        for (const c of candidates) {
          if (userSetPriorityRecently(c.priority_set_at, now)) continue
          const result = scorePriority({
            priority: c.priority,
            dueDate: c.due_date,
            createdAt: c.created_at,
            now,
            timezone: c.timezone,
            competingTasksSameDay: c.competing,
          })
          if (!shouldSuggest(c.priority, result)) continue
          const used = perUser.get(c.user_id) ?? 0
          if (used >= c.budget) continue
          perUser.set(c.user_id, used + 1)
          proposals.push({
            userId: c.user_id,
            taskId: c.id,
            type: "priority",
            message: result.reason,
            proposedChange: { priority: result.suggested },
            sourceEvent: trigger.sourceEvent,
            correlationId: trigger.correlationId,
            from: c.priority,
          })
        }
        // Users first, tasks second: the lock order every writer keeps (Outbox.lockUsers).
        yield* outbox.lockUsers(proposals.map((p) => p.userId))
        const inserted = yield* suggestions.insertPendingMany(proposals)
        const byTask = new Map(proposals.map((p) => [p.taskId, p]))
        const titles = new Map(candidates.map((c) => [c.id, c.title]))
        for (const s of inserted) {
          const p = byTask.get(s.taskId)!
          yield* Effect.logDebug(
            `priority: suggested ${p.from} → ${s.proposedChange.priority} for task ${s.taskId}: ${s.message}`,
          )
          const title = titles.get(s.taskId) ?? ""
          yield* reasons.request(s.id, {
            title,
            from: p.from,
            to: s.proposedChange.priority!,
            ruleReason: s.message,
          })
        }
        return inserted.length
      })

      return PrioritizationAgent.of({ run: (trigger, taskIds) => sql.withTransaction(run(trigger, taskIds)) })
    }),
  )

  static readonly live = Layer.effectDiscard(
    Effect.gen(function* () {
      const agent = yield* PrioritizationAgent
      const registry = yield* HandlerRegistry
      const config = yield* AgentConfig

      registry.register("tasks.created", "PrioritizationAgent.onTaskCreated", (e) =>
        agent.run({ sourceEvent: e.eventType, correlationId: e.correlationId }, [e.taskId]),
      )
      registry.register("tasks.updated", "PrioritizationAgent.onTaskUpdated", (e) =>
        "dueDate" in e.changes || "priority" in e.changes
          ? agent.run({ sourceEvent: e.eventType, correlationId: e.correlationId }, [e.taskId])
          : Effect.void,
      )
      // Each run of the sweep is its own unit of work, with a correlation id of its own.
      yield* withNewCorrelationId((correlationId) =>
        agent.run({ sourceEvent: "schedule", correlationId }),
      ).pipe(
        Effect.tap((n) => (n > 0 ? Effect.logInfo(`priority sweep: ${n} suggestions`) : Effect.void)),
        Effect.catchCause((cause) => Effect.logError("priority sweep failed", cause)),
        Effect.timed,
        Effect.tap(([d]) =>
          Metric.update(
            Metric.withAttributes(sweepDuration, { agent: "prioritization" }),
            Duration.toMillis(d),
          ),
        ),
        Effect.repeat(Schedule.spaced(config.prioritySweep)),
        Effect.delay(config.prioritySweep),
        Effect.forkScoped,
      )
    }),
  )
}
