/**
 * Recurring tasks: computing the next task's due date when one is completed, the first due date of a new one, and
 * moving a reminder along. Rules themselves (parsing, validation, evaluation, the describer) are `@todo/calendar`'s.
 *
 * Semantics (the decisions, in one place):
 * - **Local wall-clock time.** A rule is evaluated in the user's zone on wall-clock values, then placed in the zone:
 *   a task due at 09:00 in Berlin stays at 09:00 across DST. A time that does not exist on the new day (DST gap) is
 *   shifted forward by the gap (02:30 → 03:30); a time that happens twice takes the earlier offset.
 * - **Gap pinning.** When a gap shifted the time, the returned rule gets `BYHOUR`/`BYMINUTE` (only those it lacks) set
 *   to the intended time, so the task after that goes back to 02:30 instead of drifting to 03:30 for good (a calendar
 *   keeps the start time in DTSTART; a task only has its due date, which now says 03:30).
 * - **repeatFrom=dueDate** (default, Todoist's `every`): the next due date is the first occurrence strictly after the
 *   current due date. **Missed occurrences are kept, not skipped**: completing a daily task three days late yields
 *   the next day after its old due date, which may itself be overdue. This keeps the schedule (a monthly rent task
 *   completed late still needs paying for the next month) and is deterministic; the overdue agent proposes moving it.
 * - **repeatFrom=completion** (Todoist's `every!`): the rule is restarted on the local day of completion, at the due
 *   date's local time of day, and the next occurrence is the first one strictly after both that start and the
 *   completion instant. "every! 3 days" completed on the 12th at 18:00 for a 09:00 task → the 15th at 09:00.
 * - **No due date**: the rule is anchored at the completion instant (truncated to the minute) and the next occurrence
 *   is the first one strictly after completion, whatever `repeatFrom` says.
 * - **COUNT** counts tasks, the current one included: the next task's rule has COUNT decremented, COUNT=1 ⇒ no next
 *   task. **UNTIL**: no occurrence after UNTIL ⇒ no next task. A date-only UNTIL includes that whole local day; a
 *   floating one is local time; one ending in `Z` is an instant.
 * - **Days that do not exist are skipped** (RFC 5545): monthly on the 31st from Jan 31 goes to Mar 31, yearly on
 *   Feb 29 goes to the next leap year. (`FREQ=MONTHLY;BYMONTHDAY=-1` means "the last day of every month".)
 * - A rule whose next occurrence lies more than 400 years ahead, or after 31 Dec 9999, counts as run out.
 * - **Bounded work**: every evaluation charges a `WorkBudget` (one per request); running out is an
 *   `InvalidRecurrence` that says so, never a long computation.
 */
import type { RepeatFrom } from "@todo/contracts"
import { DateTime, Result } from "effect"
import {
  fromEpochDay,
  fromLocal,
  type InstantInput,
  isValidTimeZone,
  type LocalDateTime,
  type LocalTime,
  localTimeExists,
  toEpochDay,
  toEpochMillis,
  toFloatingMillis,
  toInstant,
  toLocal,
} from "@todo/calendar"
import {
  formatRule,
  nextAfter,
  type RecurrenceRule,
  ruleBudget,
  setPart,
  tooCostly,
  validateRule,
  type WorkBudget,
  WorkBudgetExceeded,
} from "@todo/calendar/recurrence"

export type { RecurrenceRule } from "@todo/calendar/recurrence"

/** A recurrence rule that cannot be used (bad syntax, unsupported part, never produces a date) or a bad time zone. */
export class InvalidRecurrence extends Error {
  readonly _tag = "InvalidRecurrence"
  override readonly name = "InvalidRecurrence"
}

const parseOrThrow = (rule: string, budget: WorkBudget): RecurrenceRule => {
  const parsed = validateRule(rule, budget)
  if (Result.isFailure(parsed)) throw new InvalidRecurrence(`Invalid recurrence "${rule}": ${parsed.failure}`)
  return parsed.success
}

const checkZone = (timezone: string): void => {
  if (!isValidTimeZone(timezone)) throw new InvalidRecurrence(`Unknown time zone ${JSON.stringify(timezone)}`)
}

export interface NextOccurrenceInput {
  /** The task's RRULE. */
  readonly rule: string
  /** The current task's due date (ISO instant), or null for a task without one. */
  readonly dueDate: string | null
  /** When the current task was completed. */
  readonly completedAt: InstantInput
  /** The user's IANA zone: the rule is evaluated on wall-clock time there. */
  readonly timezone: string
  readonly repeatFrom: RepeatFrom
  /** The request's allowance of calendar steps (default: a fresh one). */
  readonly budget?: WorkBudget | undefined
}

export interface NextOccurrence {
  /** The next task's due date, an ISO instant in UTC (`2025-03-31T07:00:00.000Z`). */
  readonly dueDate: string
  /** The next task's rule: COUNT decremented, BYHOUR/BYMINUTE pinned after a DST gap; otherwise the input unchanged. */
  readonly rule: string
}

const timeOf = (local: LocalDateTime): LocalTime => ({
  hour: local.hour,
  minute: local.minute,
  second: local.second,
  millisecond: local.millisecond,
})

/** The last instant a task can be due at: a roll-over past it ends the series (instants stop at year 9999). */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * Finds the first occurrence strictly after `after` (floating) whose instant is also strictly after `notBefore`
 * (guards the rare case where an overlap's earlier offset maps a later wall-clock time to an earlier instant).
 * Null when the rule has run out, including past 31 Dec 9999.
 */
const findOccurrence = (
  rule: RecurrenceRule,
  start: LocalDateTime,
  after: number,
  notBefore: number,
  timezone: string,
  budget: WorkBudget,
): { local: LocalDateTime; instant: DateTime.Utc } | null => {
  const untilFloating =
    rule.until?._tag === "Utc" ? toFloatingMillis(toLocal(rule.until.epochMillis, timezone)) : undefined
  let from = after
  for (let guard = 0; guard < 64; guard++) {
    let local: LocalDateTime | null
    try {
      local = nextAfter(rule, start, from, { untilFloating, budget })
    } catch (e) {
      if (e instanceof WorkBudgetExceeded) throw new InvalidRecurrence(tooCostly(e))
      throw e
    }
    if (local === null) return null
    const instant = fromLocal(local, timezone)
    const millis = DateTime.toEpochMillis(instant)
    if (millis > LAST_INSTANT) return null
    if (rule.until?._tag === "Utc" && millis > rule.until.epochMillis) return null
    if (millis > notBefore) return { local, instant }
    from = toFloatingMillis(local)
  }
  return null
}

/** The rule for the next task: COUNT decremented, and the intended time pinned when a DST gap moved it. */
const ruleForNext = (
  original: string,
  rule: RecurrenceRule,
  local: LocalDateTime,
  timezone: string,
): string => {
  let parts = rule.parts
  let changed = false
  if (rule.count !== null) {
    parts = setPart({ ...rule, parts }, "COUNT", String(rule.count - 1))
    changed = true
  }
  if (!localTimeExists(local, timezone)) {
    if (rule.byHour.length === 0) parts = setPart({ ...rule, parts }, "BYHOUR", String(local.hour))
    if (rule.byMinute.length === 0) parts = setPart({ ...rule, parts }, "BYMINUTE", String(local.minute))
    changed = changed || rule.byHour.length === 0 || rule.byMinute.length === 0
  }
  return changed ? formatRule({ ...rule, parts }) : original
}

/**
 * The next task of a recurring task that was just completed, or null when the rule has run out (COUNT reached,
 * past UNTIL, nothing within 400 years). See the module comment for the semantics.
 * Throws `InvalidRecurrence` for an invalid rule or time zone (validate with `parseRecurrence` when storing a rule).
 */
export const nextOccurrence = (input: NextOccurrenceInput): NextOccurrence | null => {
  const budget = input.budget ?? ruleBudget()
  const rule = parseOrThrow(input.rule, budget)
  checkZone(input.timezone)
  if (rule.count === 1) return null
  const completedMillis = toEpochMillis(input.completedAt)
  const completedLocal = toLocal(completedMillis, input.timezone)

  let start: LocalDateTime
  let after: number
  let notBefore: number
  if (input.dueDate === null) {
    start = { ...completedLocal, second: 0, millisecond: 0 }
    after = toFloatingMillis(completedLocal)
    notBefore = completedMillis
  } else if (input.repeatFrom === "completion") {
    const dueLocal = toLocal(input.dueDate, input.timezone)
    start = { ...completedLocal, ...timeOf(dueLocal) }
    after = Math.max(toFloatingMillis(start), toFloatingMillis(completedLocal))
    notBefore = completedMillis
  } else {
    start = toLocal(input.dueDate, input.timezone)
    after = toFloatingMillis(start)
    notBefore = toEpochMillis(input.dueDate)
  }

  const found = findOccurrence(rule, start, after, notBefore, input.timezone, budget)
  if (found === null) return null
  return {
    dueDate: DateTime.formatIso(found.instant),
    rule: ruleForNext(input.rule, rule, found.local, input.timezone),
  }
}

export interface FirstOccurrenceInput {
  readonly rule: string
  /** Where the rule starts, in wall-clock time in `timezone`; its time of day is the task's time of day. */
  readonly start: LocalDateTime
  readonly timezone: string
  /** The occurrence must be strictly later than this instant (e.g. now). */
  readonly notBefore: InstantInput
  readonly budget?: WorkBudget | undefined
}

/**
 * The first occurrence at or after `start` (inclusive) and strictly after `notBefore`: the first due date of a new
 * recurring task. Returns null when the rule has run out; throws `InvalidRecurrence` like `nextOccurrence`.
 */
export const firstOccurrence = (input: FirstOccurrenceInput): string | null => {
  const budget = input.budget ?? ruleBudget()
  const rule = parseOrThrow(input.rule, budget)
  checkZone(input.timezone)
  const found = findOccurrence(
    rule,
    input.start,
    toFloatingMillis(input.start) - 1,
    toEpochMillis(input.notBefore),
    input.timezone,
    budget,
  )
  return found === null ? null : DateTime.formatIso(found.instant)
}

/**
 * Moves a reminder along with its task. Without a zone the reminder keeps its exact distance from the due date.
 * With a zone it keeps its wall-clock relation instead — "the day before at 18:00" stays the day before at 18:00
 * across DST — unless that would flip it to the other side of the due date, where the exact distance is used.
 * Returns null when there is no reminder or no old due date to measure from.
 */
export const shiftReminder = (
  oldDue: InstantInput | null,
  oldRemind: InstantInput | null,
  newDue: InstantInput,
  timezone?: string,
): string | null => {
  if (oldDue === null || oldRemind === null) return null
  const due = toEpochMillis(oldDue)
  const remind = toEpochMillis(oldRemind)
  const next = toEpochMillis(newDue)
  const exact = DateTime.formatIso(toInstant(next - (due - remind)))
  if (timezone === undefined) return exact
  checkZone(timezone)
  const dueLocal = toLocal(due, timezone)
  const remindLocal = toLocal(remind, timezone)
  const nextLocal = toLocal(next, timezone)
  const dayShift = toEpochDay(remindLocal) - toEpochDay(dueLocal)
  const target = DateTime.toEpochMillis(
    fromLocal({ ...fromEpochDay(toEpochDay(nextLocal) + dayShift), ...timeOf(remindLocal) }, timezone),
  )
  return Math.sign(target - next) === Math.sign(remind - due) ? DateTime.formatIso(toInstant(target)) : exact
}
