/**
 * Priority suggestions. Pure: `now` is a parameter; days are counted in the user's zone.
 *
 * **Score** (0–100, higher = more pressing), from signals only — never from the current priority, which would make
 * the score confirm itself:
 * - due proximity: overdue 68 (+3 per whole local day late, at most +15), today 55, tomorrow 45, within the next
 *   6 days 30, within 30 days 12, later 5, no due date 0 — a task due today on its own is not raised (55 < 58):
 *   it takes competition, age or being overdue;
 * - competition: +4 for each other open task due the same local day (at most +20), for tasks due within a week
 *   (overdue included);
 * - age: +1 per full week since creation (at most +10).
 * Levels: low < 25 ≤ medium < 50 ≤ high < 75 ≤ urgent.
 *
 * **Hysteresis** (the current priority's only role, so suggestions do not flap):
 * - raise to level L only when the score clears L's threshold by a margin of 8 (high needs ≥ 58, urgent ≥ 83);
 * - lower only from high or urgent, never below medium, never for a task due within a day (overdue, today,
 *   tomorrow), and only when the score is 8 below the current level's threshold (high → medium needs ≤ 42);
 * - so between "raise to high" (≥ 58) and "lower from high" (≤ 42) lies a 16-point dead band: one more or one less
 *   competing task (4 points), or a week of age, cannot flip a suggestion back and forth.
 * The score is monotonic in the due date: an earlier due date never lowers the score or the suggested priority.
 *
 * **The user's word first**: a priority the user set explicitly (creating or changing a task with one, quick add's
 * `!high` included) in the last 24 hours is not second-guessed, whatever the score ({@link userSetPriorityRecently}).
 */
import type { Priority } from "@todo/contracts"
import { type InstantInput, localDaysBetween, toEpochMillis } from "@todo/calendar"

export type Proximity = "overdue" | "today" | "tomorrow" | "thisWeek" | "later" | "none"

export interface PriorityInput {
  /** The task's current priority. */
  readonly priority: Priority
  readonly dueDate: InstantInput | null
  readonly createdAt: InstantInput
  readonly now: InstantInput
  readonly timezone: string
  /** Other open tasks due on the same local day as this one. */
  readonly competingTasksSameDay: number
}

export interface PriorityScore {
  /** The priority to propose; equal to the current one when nothing should change. */
  readonly suggested: Priority
  /** 0–100, from due proximity, competition and age. */
  readonly score: number
  /** One plain sentence, e.g. "Due tomorrow and 4 other tasks compete for that day: raise to high?" */
  readonly reason: string
  readonly proximity: Proximity
}

export const PRIORITIES: ReadonlyArray<Priority> = ["low", "medium", "high", "urgent"]
/** The lowest score of each level, in the order of `PRIORITIES`. */
export const THRESHOLDS: ReadonlyArray<number> = [0, 25, 50, 75]
/** How far past a threshold the score must be before a change is suggested. */
export const HYSTERESIS_MARGIN = 8

const rank = (p: Priority): number => PRIORITIES.indexOf(p)
const level = (r: number): Priority => PRIORITIES[Math.max(0, Math.min(3, r))] ?? "medium"
const threshold = (r: number): number => THRESHOLDS[r] ?? Number.POSITIVE_INFINITY

/** The level a score falls in, without hysteresis. */
export const priorityFromScore = (score: number): Priority => {
  let r = 0
  for (let i = 0; i < THRESHOLDS.length; i++) if (score >= threshold(i)) r = i
  return level(r)
}

const DAY = 86_400_000

interface Signals {
  readonly proximity: Proximity
  readonly daysLate: number
  readonly daysAhead: number
  readonly competing: number
  readonly competitionCounts: boolean
  readonly weeksOld: number
}

const signals = (input: PriorityInput): Signals => {
  const now = toEpochMillis(input.now)
  const competing = Number.isFinite(input.competingTasksSameDay)
    ? Math.max(0, Math.floor(input.competingTasksSameDay))
    : 0
  const weeksOld = Math.max(0, Math.floor((now - toEpochMillis(input.createdAt)) / (7 * DAY)))
  if (input.dueDate === null) {
    return { proximity: "none", daysLate: 0, daysAhead: 0, competing, competitionCounts: false, weeksOld }
  }
  const due = toEpochMillis(input.dueDate)
  const days = localDaysBetween(now, due, input.timezone)
  let proximity: Proximity
  if (due < now) proximity = "overdue"
  else if (days <= 0) proximity = "today"
  else if (days === 1) proximity = "tomorrow"
  else if (days <= 6) proximity = "thisWeek"
  else proximity = "later"
  return {
    proximity,
    daysLate: proximity === "overdue" ? Math.max(0, -days) : 0,
    daysAhead: Math.max(0, days),
    competing,
    competitionCounts: proximity !== "later",
    weeksOld,
  }
}

const proximityPoints = (s: Signals): number => {
  switch (s.proximity) {
    case "overdue":
      return 68 + Math.min(15, 3 * s.daysLate)
    case "today":
      return 55
    case "tomorrow":
      return 45
    case "thisWeek":
      return 30
    case "later":
      return s.daysAhead <= 30 ? 12 : 5
    case "none":
      return 0
  }
}

const scoreOf = (s: Signals): number => {
  const competition = s.competitionCounts ? Math.min(20, 4 * s.competing) : 0
  const age = Math.min(10, s.weeksOld)
  return Math.max(0, Math.min(100, proximityPoints(s) + competition + age))
}

/** Applies the hysteresis rules of the module comment. */
const withHysteresis = (current: Priority, score: number, proximity: Proximity): Priority => {
  const r = rank(current)
  let raised = r
  for (let l = r + 1; l < PRIORITIES.length; l++) if (score >= threshold(l) + HYSTERESIS_MARGIN) raised = l
  if (raised > r) return level(raised)
  const nearlyDue = proximity === "overdue" || proximity === "today" || proximity === "tomorrow"
  if (r < rank("high") || nearlyDue) return current
  let lowered = r
  for (let l = r - 1; l >= rank("medium"); l--) if (score <= threshold(l + 1) - HYSTERESIS_MARGIN) lowered = l
  return level(lowered)
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

const describe = (s: Signals): string => {
  let text: string
  switch (s.proximity) {
    case "overdue":
      text = s.daysLate === 0 ? "Overdue since earlier today" : `Overdue by ${plural(s.daysLate, "day")}`
      break
    case "today":
      text = "Due today"
      break
    case "tomorrow":
      text = "Due tomorrow"
      break
    case "thisWeek":
    case "later":
      text = s.daysAhead >= 14 ? `Due in ${Math.floor(s.daysAhead / 7)} weeks` : `Due in ${s.daysAhead} days`
      break
    case "none":
      text = "No due date"
      break
  }
  if (s.competitionCounts && s.competing > 0) {
    text += ` and ${s.competing === 1 ? "1 other task competes" : `${s.competing} other tasks compete`} for that day`
  }
  if (s.weeksOld >= 4) text += `, open for ${s.weeksOld} weeks`
  return text
}

/** Scores a task and proposes a priority (with hysteresis against the current one), with a one-sentence reason. */
export const scorePriority = (input: PriorityInput): PriorityScore => {
  const s = signals(input)
  const score = scoreOf(s)
  const suggested = withHysteresis(input.priority, score, s.proximity)
  const change = rank(suggested) - rank(input.priority)
  const ending =
    change > 0 ? `: raise to ${suggested}?` : change < 0 ? `: lower to ${suggested}?` : `: keep ${suggested}.`
  return { suggested, score, reason: `${describe(s)}${ending}`, proximity: s.proximity }
}

/**
 * Whether a suggestion is worth making: the levels differ, and the score is past the threshold it crosses by the
 * hysteresis margin (raising: at least the new level's threshold + 8; lowering: at most the threshold of the level
 * above the new one − 8, and never for a task due within a day).
 */
export const shouldSuggest = (
  current: Priority,
  result: Pick<PriorityScore, "suggested" | "score"> & { readonly proximity?: Proximity | undefined },
): boolean => {
  const from = rank(current)
  const to = rank(result.suggested)
  if (to === from || to < 0) return false
  if (to > from) return result.score >= threshold(to) + HYSTERESIS_MARGIN
  const nearlyDue =
    result.proximity === "overdue" || result.proximity === "today" || result.proximity === "tomorrow"
  return (
    !nearlyDue &&
    from >= rank("high") &&
    to >= rank("medium") &&
    result.score <= threshold(to + 1) - HYSTERESIS_MARGIN
  )
}

/** How long a priority the user set explicitly is left alone. */
export const USER_PRIORITY_RESPECTED_MS = DAY

/**
 * Whether the user set the task's priority explicitly less than 24 hours before `now` (then no priority suggestion
 * is made). A time after `now` (clocks of two machines) counts as recent.
 */
export const userSetPriorityRecently = (prioritySetAt: InstantInput | null, now: InstantInput): boolean =>
  prioritySetAt !== null && toEpochMillis(now) - toEpochMillis(prioritySetAt) < USER_PRIORITY_RESPECTED_MS
