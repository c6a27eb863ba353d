/**
 * Overdue decisions: is a task overdue, which new due date to propose, and how to say it. Pure: `now` is a parameter.
 *
 * - A task is overdue when it is open, has a due date, and that due date is strictly before `now`.
 * - The proposal is the next working day (Monday–Friday) strictly after *today in the user's zone*, at the old due
 *   date's local time of day. Weekends are skipped (a task overdue on Friday evening moves to Monday); public
 *   holidays are not known. The time is wall-clock time, so 09:00 stays 09:00 across a DST change; a time that does
 *   not exist on the new day (DST gap) moves forward by the gap.
 */
import type { Task } from "@todo/contracts"
import {
  addDays,
  fromLocal,
  type InstantInput,
  type LocalDate,
  localDateOf,
  MONTH_SHORT_NAMES,
  toEpochMillis,
  toIsoString,
  toLocal,
  WEEKDAY_SHORT_NAMES,
  weekdayOf,
} from "@todo/calendar"

/** Open, with a due date, and due strictly before `now`. */
export const isOverdue = (task: Pick<Task, "completed" | "dueDate">, now: InstantInput): boolean =>
  !task.completed && task.dueDate !== null && toEpochMillis(task.dueDate) < toEpochMillis(now)

const isWeekend = (date: LocalDate): boolean => {
  const day = weekdayOf(date)
  return day === 0 || day === 6
}

/** The next Monday–Friday strictly after `date`. */
export const nextWorkingDay = (date: LocalDate): LocalDate => {
  let next = addDays(date, 1)
  while (isWeekend(next)) next = addDays(next, 1)
  return next
}

/**
 * The next working day strictly after today (in `timezone`, as of `now`), at the local time of day of `dueDate`.
 * Returns an ISO instant in UTC.
 */
export const proposeNewDueDate = (dueDate: InstantInput, timezone: string, now: InstantInput): string => {
  const { hour, minute, second, millisecond } = toLocal(dueDate, timezone)
  const day = nextWorkingDay(localDateOf(now, timezone))
  return toIsoString(fromLocal({ ...day, hour, minute, second, millisecond }, timezone))
}

const pad2 = (n: number): string => String(n).padStart(2, "0")

/**
 * "Tue 24 Nov 09:00", with the year ("Wed 31 Dec 2025 09:00") when it differs from the year of `reference` (usually
 * now) in the zone.
 */
export const formatShortLocal = (
  instant: InstantInput,
  timezone: string,
  reference: InstantInput,
): string => {
  const local = toLocal(instant, timezone)
  const thisYear = toLocal(reference, timezone).year
  const year = local.year === thisYear ? "" : ` ${local.year}`
  return `${WEEKDAY_SHORT_NAMES[weekdayOf(local)]} ${local.day} ${MONTH_SHORT_NAMES[local.month - 1]}${year} ${pad2(local.hour)}:${pad2(local.minute)}`
}

const MAX_TITLE_IN_MESSAGE = 60

const shortTitle = (title: string): string => {
  const clean = title.replace(/\s+/gu, " ").trim()
  const chars = [...clean]
  return chars.length <= MAX_TITLE_IN_MESSAGE
    ? clean
    : `${chars
        .slice(0, MAX_TITLE_IN_MESSAGE - 1)
        .join("")
        .trimEnd()}…`
}

export interface OverdueMessageInput {
  readonly title: string
  readonly dueDate: InstantInput
  readonly proposedDueDate: InstantInput
  readonly timezone: string
  /** Years are shown for dates outside the year of `now` (default: the year of the proposed date). */
  readonly now?: InstantInput | undefined
}

/** One sentence: "'Pay rent' was due Tue 24 Nov 09:00; move it to Wed 25 Nov 09:00?" */
export const overdueMessage = (input: OverdueMessageInput): string => {
  const reference = input.now ?? input.proposedDueDate
  const due = formatShortLocal(input.dueDate, input.timezone, reference)
  const proposed = formatShortLocal(input.proposedDueDate, input.timezone, reference)
  return `'${shortTitle(input.title)}' was due ${due}; move it to ${proposed}?`
}

export interface OverdueSuggestion {
  /** The proposed new due date (ISO instant, UTC). */
  readonly dueDate: string
  readonly message: string
}

/** Everything the overdue agent needs for one task: null when the task is not overdue. */
export const overdueSuggestion = (
  task: Pick<Task, "title" | "completed" | "dueDate">,
  timezone: string,
  now: InstantInput,
): OverdueSuggestion | null => {
  if (!isOverdue(task, now) || task.dueDate === null) return null
  const dueDate = proposeNewDueDate(task.dueDate, timezone, now)
  return {
    dueDate,
    message: overdueMessage({
      title: task.title,
      dueDate: task.dueDate,
      proposedDueDate: dueDate,
      timezone,
      now,
    }),
  }
}
