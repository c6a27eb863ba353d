/**
 * What a simple repeat builder (the web editor's "Repeats every N weeks on Mon, Thu") can show and edit of a rule,
 * and the rule it writes back. Anything richer stays a custom rule, edited as text, so nothing is ever lost.
 */
import { Result } from "effect"
import { type Frequency, parseRule, WEEKDAY_CODES, type WeekdayCode } from "./RRule.ts"

/** Weekday codes in the order a week is shown (Monday first). */
export const DRAFT_WEEKDAYS: ReadonlyArray<WeekdayCode> = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

export const WEEKDAY_NAMES: Record<WeekdayCode, string> = {
  MO: "Mon",
  TU: "Tue",
  WE: "Wed",
  TH: "Thu",
  FR: "Fri",
  SA: "Sat",
  SU: "Sun",
}

/** What the builder's controls hold. */
export interface RecurrenceDraft {
  readonly mode: "none" | Frequency | "custom"
  readonly interval: number
  readonly days: ReadonlyArray<WeekdayCode>
  /** The rule as text, for the custom mode. */
  readonly custom: string
}

const NONE: RecurrenceDraft = { mode: "none", interval: 1, days: [], custom: "" }
const BUILDER_PARTS = new Set(["FREQ", "INTERVAL", "BYDAY"])

/** The builder's view of a stored rule: a simple one in its mode, anything else as custom text. */
export const draftFromRule = (text: string | null): RecurrenceDraft => {
  if (!text) return NONE
  const custom: RecurrenceDraft = { ...NONE, mode: "custom", custom: text }
  const parsed = parseRule(text)
  if (Result.isFailure(parsed)) return custom
  const rule = parsed.success
  const simple =
    rule.parts.every(([key]) => BUILDER_PARTS.has(key)) &&
    rule.byDay.every((d) => d.ordinal === null) &&
    (rule.freq === "WEEKLY" || rule.byDay.length === 0)
  if (!simple) return custom
  return {
    mode: rule.freq,
    interval: rule.interval,
    days: sortCodes(rule.byDay.map((d) => WEEKDAY_CODES[d.weekday])),
    custom: text,
  }
}

const sortCodes = (days: ReadonlyArray<WeekdayCode>): WeekdayCode[] =>
  DRAFT_WEEKDAYS.filter((d) => days.includes(d))

/** The rule the builder's controls describe, or null for "does not repeat". */
export const ruleFromDraft = (draft: RecurrenceDraft): string | null => {
  if (draft.mode === "none") return null
  if (draft.mode === "custom") return draft.custom.trim() || null
  const interval = Math.min(999, Math.max(1, Math.floor(draft.interval) || 1))
  const parts = [`FREQ=${draft.mode}`]
  if (interval > 1) parts.push(`INTERVAL=${interval}`)
  const days = sortCodes(draft.days)
  if (draft.mode === "WEEKLY" && days.length > 0) parts.push(`BYDAY=${days.join(",")}`)
  return parts.join(";")
}
