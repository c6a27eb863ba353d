/**
 * A small, strict RFC 5545 RRULE parser and evaluator for tasks, on floating (wall-clock) date-times.
 *
 * Why not the `rrule` npm package: it evaluates an impossible rule such as `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30` by
 * walking day by day to the year 9999 (seconds of CPU per call: a denial of service for an API that accepts rules),
 * its CommonJS/UMD build has no named ESM exports under Node, and its time-zone handling is known to be fragile. This
 * evaluator works on integer "epoch days" and stops after a 400-year horizon (the Gregorian calendar repeats every
 * 400 years, so for `INTERVAL=1` "nothing within 400 years" means "never").
 *
 * Supported: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, BYYEARDAY, BYDAY (with
 * ordinals for MONTHLY/YEARLY), BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, WKST. Rejected with a message: SECONDLY,
 * MINUTELY and HOURLY (a task does not repeat more than once a day at its own frequency), BYWEEKNO (rarely used,
 * subtle year-boundary rules), DTSTART (the task's due date is the start), COUNT together with UNTIL (RFC 5545 forbids it).
 *
 * Semantics follow RFC 5545 §3.3.10 as implemented by python-dateutil and rrule.js: BYxxx parts restrict the days of
 * each FREQ/INTERVAL period (their intersection), BYSETPOS picks from the sorted occurrences of one period, parts
 * missing from the rule are taken from the start (WEEKLY → its weekday, MONTHLY → its day of the month, YEARLY → its
 * month and day; BYHOUR/BYMINUTE/BYSECOND → its time), and a day that does not exist (the 31st of a 30-day month,
 * Feb 29 in a common year) is skipped, never moved.
 */
import { Result } from "effect"
import {
  daysInMonth,
  daysInYear,
  fromEpochDay,
  fromFloatingMillis,
  isValidDate,
  type LocalDate,
  type LocalDateTime,
  MILLIS_PER_DAY,
  timeToMillis,
  toEpochDay,
  toFloatingMillis,
  type Weekday,
  weekdayOfEpochDay,
} from "./Calendar.ts"

export type Frequency = "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY"

export const WEEKDAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const
export type WeekdayCode = (typeof WEEKDAY_CODES)[number]

/** One BYDAY entry: a weekday, optionally the nth (negative: from the end) of the month or year. */
export interface ByDay {
  readonly weekday: Weekday
  readonly ordinal: number | null
}

/** UNTIL as written: a date (inclusive), a floating local date-time, or a UTC instant (`…Z`). */
export type Until =
  | { readonly _tag: "Date"; readonly date: LocalDate }
  | { readonly _tag: "Floating"; readonly local: LocalDateTime }
  | { readonly _tag: "Utc"; readonly epochMillis: number }

export interface RecurrenceRule {
  readonly freq: Frequency
  readonly interval: number
  readonly count: number | null
  readonly until: Until | null
  readonly byMonth: ReadonlyArray<number>
  readonly byMonthDay: ReadonlyArray<number>
  readonly byYearDay: ReadonlyArray<number>
  readonly byDay: ReadonlyArray<ByDay>
  readonly byHour: ReadonlyArray<number>
  readonly byMinute: ReadonlyArray<number>
  readonly bySecond: ReadonlyArray<number>
  readonly bySetPos: ReadonlyArray<number>
  readonly wkst: Weekday
  /** The rule's parts as written (keys and values upper-cased), in their original order: used to write it back. */
  readonly parts: ReadonlyArray<readonly [key: string, value: string]>
}

export const MAX_RULE_LENGTH = 500
const MAX_INTERVAL = 999
const MAX_COUNT = 10_000
/** How far ahead an occurrence is searched for. */
export const HORIZON_DAYS = 146_097 // 400 Gregorian years

const KNOWN_PARTS = new Set([
  "FREQ",
  "INTERVAL",
  "COUNT",
  "UNTIL",
  "BYMONTH",
  "BYMONTHDAY",
  "BYYEARDAY",
  "BYDAY",
  "BYHOUR",
  "BYMINUTE",
  "BYSECOND",
  "BYSETPOS",
  "WKST",
  "BYWEEKNO",
])

type Parsed<A> = Result.Result<A, string>

const intList = (
  key: string,
  value: string,
  min: number,
  max: number,
  allowNegative: boolean,
): Parsed<number[]> => {
  const out: number[] = []
  for (const item of value.split(",")) {
    if (!/^[+-]?\d{1,3}$/.test(item))
      return Result.fail(`${key} expects a comma-separated list of numbers, got "${value}"`)
    const n = Number(item)
    const ok = allowNegative ? Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max
    if (!ok || (!allowNegative && item.startsWith("-"))) {
      const range = allowNegative ? `${min} to ${max} or -${max} to -${min}` : `${min} to ${max}`
      return Result.fail(`${key} values must be ${range}, got "${item}"`)
    }
    if (!out.includes(n)) out.push(n)
  }
  return Result.succeed(out.sort((a, b) => a - b))
}

const parseUntil = (value: string): Parsed<Until> => {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value)
  if (m === null) return Result.fail(`UNTIL must look like 20251231 or 20251231T235959Z, got "${value}"`)
  const [, y, mo, d, h, mi, s, z] = m
  const date = { year: Number(y), month: Number(mo), day: Number(d) }
  if (!isValidDate(date)) return Result.fail(`UNTIL is not a real date: "${value}"`)
  if (h === undefined) return Result.succeed({ _tag: "Date", date })
  const time = { hour: Number(h), minute: Number(mi), second: Number(s), millisecond: 0 }
  if (time.hour > 23 || time.minute > 59 || time.second > 59)
    return Result.fail(`UNTIL has an invalid time: "${value}"`)
  const local = { ...date, ...time }
  return z === undefined
    ? Result.succeed({ _tag: "Floating", local })
    : Result.succeed({ _tag: "Utc", epochMillis: toFloatingMillis(local) })
}

const weekdayCode = (code: string): Weekday | undefined => {
  const i = WEEKDAY_CODES.indexOf(code as WeekdayCode)
  return i < 0 ? undefined : (i as Weekday)
}

const parseByDay = (value: string, freq: Frequency): Parsed<ByDay[]> => {
  const out: ByDay[] = []
  for (const item of value.split(",")) {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item)
    if (m === null) return Result.fail(`BYDAY expects entries such as MO, 2TU or -1FR, got "${item}"`)
    const weekday = weekdayCode(m[2] ?? "") as Weekday
    let ordinal: number | null = null
    if (m[1] !== undefined) {
      ordinal = Number(m[1])
      if (ordinal === 0 || Math.abs(ordinal) > 53)
        return Result.fail(`BYDAY ordinal must be 1 to 53 or -53 to -1: "${item}"`)
      if (freq !== "MONTHLY" && freq !== "YEARLY") {
        return Result.fail(`BYDAY with a number ("${item}") is only allowed with FREQ=MONTHLY or FREQ=YEARLY`)
      }
      if (freq === "MONTHLY" && Math.abs(ordinal) > 5)
        return Result.fail(`A month has at most 5 of each weekday: "${item}"`)
    }
    if (!out.some((b) => b.weekday === weekday && b.ordinal === ordinal)) out.push({ weekday, ordinal })
  }
  return Result.succeed(out)
}

/**
 * Parses an RRULE (optionally prefixed `RRULE:`; keys and values case-insensitive) and checks it structurally.
 * Does not check that the rule ever produces an occurrence: `producesOccurrences` does.
 */
export const parseRule = (text: string): Parsed<RecurrenceRule> => {
  if (typeof text !== "string") return Result.fail("The recurrence rule must be a string")
  const trimmed = text.trim()
  if (trimmed === "") return Result.fail("The recurrence rule is empty")
  if (trimmed.length > MAX_RULE_LENGTH)
    return Result.fail(`The recurrence rule is longer than ${MAX_RULE_LENGTH} characters`)
  if (/[\r\n]/.test(trimmed) || /DTSTART/i.test(trimmed)) {
    return Result.fail("Give only the RRULE part (no DTSTART): the task's due date is where the rule starts")
  }
  const body = trimmed.replace(/^RRULE:/i, "")
  const parts: Array<readonly [string, string]> = []
  const seen = new Map<string, string>()
  for (const segment of body.split(";")) {
    const eq = segment.indexOf("=")
    if (segment === "" || eq <= 0)
      return Result.fail(`Expected KEY=VALUE parts separated by ";", got "${segment}"`)
    const key = segment.slice(0, eq).trim().toUpperCase()
    const value = segment
      .slice(eq + 1)
      .trim()
      .toUpperCase()
    if (!KNOWN_PARTS.has(key)) return Result.fail(`Unknown rule part "${key}"`)
    if (seen.has(key)) return Result.fail(`${key} appears more than once`)
    if (value === "") return Result.fail(`${key} has no value`)
    seen.set(key, value)
    parts.push([key, value])
  }

  const freqText = seen.get("FREQ")
  if (freqText === undefined) return Result.fail("The rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)")
  if (freqText === "SECONDLY" || freqText === "MINUTELY" || freqText === "HOURLY") {
    return Result.fail(`Tasks cannot repeat more often than once a day (FREQ=${freqText} is not supported)`)
  }
  if (freqText !== "DAILY" && freqText !== "WEEKLY" && freqText !== "MONTHLY" && freqText !== "YEARLY") {
    return Result.fail(`Unknown FREQ "${freqText}": use DAILY, WEEKLY, MONTHLY or YEARLY`)
  }
  const freq: Frequency = freqText
  if (seen.has("BYWEEKNO")) return Result.fail("BYWEEKNO is not supported")

  const positive = (key: string, max: number): Parsed<number | null> => {
    const v = seen.get(key)
    if (v === undefined) return Result.succeed(null)
    if (!/^\d{1,6}$/.test(v) || Number(v) < 1 || Number(v) > max) {
      return Result.fail(`${key} must be a whole number from 1 to ${max}, got "${v}"`)
    }
    return Result.succeed(Number(v))
  }
  const list = (key: string, f: (v: string) => Parsed<number[]>): Parsed<number[]> => {
    const v = seen.get(key)
    return v === undefined ? Result.succeed([]) : f(v)
  }

  return Result.gen(function* () {
    const interval = (yield* positive("INTERVAL", MAX_INTERVAL)) ?? 1
    const count = yield* positive("COUNT", MAX_COUNT)
    const untilText = seen.get("UNTIL")
    const until = untilText === undefined ? null : yield* parseUntil(untilText)
    if (count !== null && until !== null) return yield* Result.fail("COUNT and UNTIL cannot both be set")
    const byMonth = yield* list("BYMONTH", (v) => intList("BYMONTH", v, 1, 12, false))
    const byMonthDay = yield* list("BYMONTHDAY", (v) => intList("BYMONTHDAY", v, 1, 31, true))
    const byYearDay = yield* list("BYYEARDAY", (v) => intList("BYYEARDAY", v, 1, 366, true))
    const byHour = yield* list("BYHOUR", (v) => intList("BYHOUR", v, 0, 23, false))
    const byMinute = yield* list("BYMINUTE", (v) => intList("BYMINUTE", v, 0, 59, false))
    const bySecond = yield* list("BYSECOND", (v) => intList("BYSECOND", v, 0, 59, false))
    const bySetPos = yield* list("BYSETPOS", (v) => intList("BYSETPOS", v, 1, 366, true))
    const byDayText = seen.get("BYDAY")
    const byDay = byDayText === undefined ? [] : yield* parseByDay(byDayText, freq)
    const wkstText = seen.get("WKST")
    const wkst = wkstText === undefined ? 1 : weekdayCode(wkstText)
    if (wkst === undefined)
      return yield* Result.fail(`WKST must be a weekday code (MO … SU), got "${wkstText}"`)
    if (byMonthDay.length > 0 && freq === "WEEKLY") {
      return yield* Result.fail("BYMONTHDAY cannot be used with FREQ=WEEKLY")
    }
    if (byYearDay.length > 0 && freq !== "YEARLY") return yield* Result.fail("BYYEARDAY needs FREQ=YEARLY")
    const hasOtherBy =
      byMonth.length +
        byMonthDay.length +
        byYearDay.length +
        byDay.length +
        byHour.length +
        byMinute.length +
        bySecond.length >
      0
    if (bySetPos.length > 0 && !hasOtherBy)
      return yield* Result.fail("BYSETPOS needs another BY… part to pick from")
    const rule: RecurrenceRule = {
      freq,
      interval,
      count,
      until,
      byMonth,
      byMonthDay,
      byYearDay,
      byDay,
      byHour,
      byMinute,
      bySecond,
      bySetPos,
      wkst,
      parts,
    }
    return rule
  })
}

/** Writes a rule back as `FREQ=…;…` (no `RRULE:` prefix), FREQ first, the other parts in their original order. */
export const formatRule = (rule: RecurrenceRule): string => {
  const freq = rule.parts.find(([k]) => k === "FREQ")
  const rest = rule.parts.filter(([k]) => k !== "FREQ")
  return [...(freq === undefined ? [] : [freq]), ...rest].map(([k, v]) => `${k}=${v}`).join(";")
}

/** The rule with one part set (appended when absent, replaced in place when present) or removed (`value` null). */
export const setPart = (
  rule: RecurrenceRule,
  key: string,
  value: string | null,
): ReadonlyArray<readonly [string, string]> => {
  const exists = rule.parts.some(([k]) => k === key)
  if (value === null) return rule.parts.filter(([k]) => k !== key)
  return exists
    ? rule.parts.map(([k, v]) => (k === key ? ([k, value] as const) : ([k, v] as const)))
    : [...rule.parts, [key, value]]
}

// ---------------------------------------------------------------------------------------------------------------------
// evaluation
// ---------------------------------------------------------------------------------------------------------------------

interface DayInfo {
  readonly epochDay: number
  readonly date: LocalDate
  readonly weekday: Weekday
  readonly yearDay: number
  readonly yearLength: number
  readonly monthLength: number
}

const dayInfo = (epochDay: number): DayInfo => {
  const date = fromEpochDay(epochDay)
  return {
    epochDay,
    date,
    weekday: weekdayOfEpochDay(epochDay),
    yearDay: epochDay - toEpochDay({ year: date.year, month: 1, day: 1 }) + 1,
    yearLength: daysInYear(date.year),
    monthLength: daysInMonth(date.year, date.month),
  }
}

interface Effective {
  readonly byMonth: ReadonlyArray<number>
  readonly byMonthDay: ReadonlyArray<number>
  readonly byDay: ReadonlyArray<ByDay>
  readonly times: ReadonlyArray<number>
}

/** Fills in the parts the rule leaves to its start (RFC 5545 / dateutil defaults). */
const effectiveParts = (rule: RecurrenceRule, start: LocalDateTime): Effective => {
  let byMonth = rule.byMonth
  let byMonthDay = rule.byMonthDay
  let byDay = rule.byDay
  if (rule.byYearDay.length === 0 && byMonthDay.length === 0 && byDay.length === 0) {
    if (rule.freq === "YEARLY") {
      if (byMonth.length === 0) byMonth = [start.month]
      byMonthDay = [start.day]
    } else if (rule.freq === "MONTHLY") {
      byMonthDay = [start.day]
    } else if (rule.freq === "WEEKLY") {
      byDay = [{ weekday: weekdayOfEpochDay(toEpochDay(start)), ordinal: null }]
    }
  }
  const hours = rule.byHour.length > 0 ? rule.byHour : [start.hour]
  const minutes = rule.byMinute.length > 0 ? rule.byMinute : [start.minute]
  const seconds = rule.bySecond.length > 0 ? rule.bySecond : [start.second]
  const times: number[] = []
  for (const hour of hours)
    for (const minute of minutes)
      for (const second of seconds)
        times.push(timeToMillis({ hour, minute, second, millisecond: start.millisecond }))
  times.sort((a, b) => a - b)
  return { byMonth, byMonthDay, byDay, times }
}

const matchesByDay = (rule: RecurrenceRule, eff: Effective, d: DayInfo): boolean => {
  if (eff.byDay.length === 0) return true
  for (const b of eff.byDay) {
    if (b.weekday !== d.weekday) continue
    if (b.ordinal === null) return true
    // the nth weekday of the month (MONTHLY, or YEARLY with BYMONTH) or of the year
    const inMonth = rule.freq === "MONTHLY" || eff.byMonth.length > 0
    const position = inMonth ? d.date.day : d.yearDay
    const length = inMonth ? d.monthLength : d.yearLength
    const n = b.ordinal > 0 ? Math.floor((position - 1) / 7) + 1 : -(Math.floor((length - position) / 7) + 1)
    if (n === b.ordinal) return true
  }
  return false
}

const matchesDay = (rule: RecurrenceRule, eff: Effective, d: DayInfo): boolean =>
  (eff.byMonth.length === 0 || eff.byMonth.includes(d.date.month)) &&
  (rule.byYearDay.length === 0 ||
    rule.byYearDay.some((n) => (n > 0 ? n === d.yearDay : d.yearLength + n + 1 === d.yearDay))) &&
  (eff.byMonthDay.length === 0 ||
    eff.byMonthDay.some((n) => (n > 0 ? n === d.date.day : d.monthLength + n + 1 === d.date.day))) &&
  matchesByDay(rule, eff, d)

/** The first epoch day of the FREQ period (day, week from WKST, month, year) that contains `epochDay`. */
const periodStart = (rule: RecurrenceRule, epochDay: number): number => {
  switch (rule.freq) {
    case "DAILY":
      return epochDay
    case "WEEKLY":
      return epochDay - ((weekdayOfEpochDay(epochDay) - rule.wkst + 7) % 7)
    case "MONTHLY": {
      const { year, month } = fromEpochDay(epochDay)
      return toEpochDay({ year, month, day: 1 })
    }
    case "YEARLY":
      return toEpochDay({ year: fromEpochDay(epochDay).year, month: 1, day: 1 })
  }
}

/** A period index along the FREQ unit (days, weeks, months, years), so INTERVAL steps are integer steps. */
const periodIndex = (rule: RecurrenceRule, epochDay: number): number => {
  const start = periodStart(rule, epochDay)
  switch (rule.freq) {
    case "DAILY":
      return start
    case "WEEKLY":
      return Math.floor(start / 7)
    case "MONTHLY": {
      const { year, month } = fromEpochDay(start)
      return year * 12 + month - 1
    }
    case "YEARLY":
      return fromEpochDay(start).year
  }
}

const periodDays = (rule: RecurrenceRule, index: number): [first: number, count: number] => {
  switch (rule.freq) {
    case "DAILY":
      return [index, 1]
    case "WEEKLY": {
      // the week whose WKST-aligned start is in the 7-day block `index`
      const anyDay = index * 7
      return [periodStart(rule, anyDay + 6), 7]
    }
    case "MONTHLY": {
      const year = Math.floor(index / 12)
      const month = index - year * 12 + 1
      return [toEpochDay({ year, month, day: 1 }), daysInMonth(year, month)]
    }
    case "YEARLY":
      return [toEpochDay({ year: index, month: 1, day: 1 }), daysInYear(index)]
  }
}

export interface NextAfterOptions {
  /** Occurrences later than this floating value are past UNTIL. For a UTC UNTIL the caller converts it to local time. */
  readonly untilFloating?: number | undefined
  /** Search horizon in days after `after` (default 400 years). */
  readonly horizonDays?: number | undefined
}

/** The floating upper bound UNTIL sets, for Date and Floating forms (a UTC form needs the zone: see `NextAfterOptions`). */
export const untilFloatingBound = (until: Until | null): number | undefined => {
  if (until === null) return undefined
  switch (until._tag) {
    case "Date":
      return toFloatingMillis(until.date) + MILLIS_PER_DAY - 1
    case "Floating":
      return toFloatingMillis(until.local)
    case "Utc":
      return undefined
  }
}

/**
 * The first occurrence of `rule` started at `start` (floating wall-clock time) that is strictly later than `after`
 * (a floating value from `toFloatingMillis`), or null when there is none before UNTIL or within the horizon.
 * COUNT is not applied here: a task chain carries it by decrementing it (see `nextOccurrence`).
 */
export const nextAfter = (
  rule: RecurrenceRule,
  start: LocalDateTime,
  after: number,
  options: NextAfterOptions = {},
): LocalDateTime | null => {
  const eff = effectiveParts(rule, start)
  const startFloating = toFloatingMillis(start)
  const from = Math.max(after, startFloating - 1)
  const until = options.untilFloating ?? untilFloatingBound(rule.until) ?? Number.POSITIVE_INFINITY
  const lastDay = Math.min(
    Math.floor(from / MILLIS_PER_DAY) + (options.horizonDays ?? HORIZON_DAYS),
    Math.floor(until / MILLIS_PER_DAY),
  )

  const startIndex = periodIndex(rule, toEpochDay(start))
  const fromIndex = periodIndex(rule, Math.floor(from / MILLIS_PER_DAY))
  let k = Math.max(0, Math.floor((fromIndex - startIndex) / rule.interval))
  for (;;) {
    const [first, length] = periodDays(rule, startIndex + k * rule.interval)
    if (first > lastDay) return null
    k++
    const candidates: number[] = []
    for (let day = first; day < first + length; day++) {
      if (!matchesDay(rule, eff, dayInfo(day))) continue
      for (const t of eff.times) candidates.push(day * MILLIS_PER_DAY + t)
    }
    let chosen = candidates
    if (rule.bySetPos.length > 0) {
      const picked = new Set<number>()
      for (const pos of rule.bySetPos) {
        const value = pos > 0 ? candidates[pos - 1] : candidates[candidates.length + pos]
        if (value !== undefined) picked.add(value)
      }
      chosen = [...picked].sort((a, b) => a - b)
    }
    for (const c of chosen) {
      if (c < startFloating || c <= from) continue
      if (c > until) return null
      return fromFloatingMillis(c)
    }
  }
}

/** A fixed start for checking that a rule can produce anything: 1 Jan 2000, the start of a 400-year cycle. */
const PROBE_START: LocalDateTime = {
  year: 2000,
  month: 1,
  day: 1,
  hour: 0,
  minute: 0,
  second: 0,
  millisecond: 0,
}

/**
 * Whether the rule ever produces an occurrence (ignoring COUNT and UNTIL), probed from 1 Jan 2000. Day 1 exists in
 * every month, so parts taken from the start cannot make a possible rule impossible; `FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`
 * is impossible from any start.
 */
export const producesOccurrences = (rule: RecurrenceRule): boolean =>
  nextAfter({ ...rule, until: null }, PROBE_START, toFloatingMillis(PROBE_START) - 1) !== null
