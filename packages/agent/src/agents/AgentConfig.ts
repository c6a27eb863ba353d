import { Config, Duration } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"

/** Knobs shared by the agents; the defaults are the issue's. */
export const AgentConfig = Config.all({
  /** Suggestions any one user may receive per hour, from all agents together. */
  suggestionsPerHour: Config.Int("AGENT_SUGGESTIONS_PER_HOUR").pipe(Config.withDefault(20)),
  overdueSweep: Config.Duration("OVERDUE_SWEEP_INTERVAL").pipe(Config.withDefault(Duration.minutes(5))),
  /** The first sweep after start-up: soon, to catch what was missed while no agent ran. */
  overdueSweepStart: Config.Duration("OVERDUE_SWEEP_START").pipe(Config.withDefault(Duration.seconds(1))),
  prioritySweep: Config.Duration("PRIORITY_SWEEP_INTERVAL").pipe(Config.withDefault(Duration.minutes(15))),
  /** A reminder missed while no agent ran still fires if it is at most this old. */
  reminderGrace: Config.Duration("REMINDER_GRACE").pipe(Config.withDefault(Duration.hours(24))),
  /** The reminder scheduler re-reads the plan at least this often (changes seen by other replicas). */
  reminderReplan: Config.Duration("REMINDER_REPLAN_INTERVAL").pipe(Config.withDefault(Duration.seconds(30))),
})
export type AgentConfig = typeof AgentConfig extends Config.Config<infer A> ? A : never

/** What caused an agent run: an event (its type and correlation id) or the schedule. */
export interface Trigger {
  readonly sourceEvent: string
  readonly correlationId: string
}

/**
 * SQL: for the users a `scope` query names (`SELECT … user_id`), those with agents switched on, their time zone and
 * how many suggestions they may still receive this hour (`budget`). Every agent's candidate query joins it, so the
 * off switch and the per-user rate limit hold in the same statement that picks the work. A stored zone PostgreSQL
 * cannot use reads as UTC (usable_time_zone, 0004_edge.sql): one user's zone must not fail a query over many.
 */
export const userBudgets = (sql: SqlClient, scope: Fragment, now: number, perHour: number) => sql`
  SELECT u.user_id, usable_time_zone(s.timezone) AS timezone,
         ${perHour} - (SELECT count(*) FROM suggestions r
                       WHERE r.user_id = u.user_id AND r.created_at > ${new Date(now - 3_600_000)})::int AS budget
  FROM (${scope}) u LEFT JOIN user_settings s ON s.user_id = u.user_id
  WHERE coalesce(s.agents_enabled, true)`
