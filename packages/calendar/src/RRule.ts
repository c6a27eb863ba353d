/**
 * A small, strict RFC 5545 RRULE parser and evaluator for tasks, on floating (wall-clock) date-times.
 *
 * Why not the `rrule` npm package: it evaluates an impossible rule such as `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30` by
 * walking day by day to the year 9999 (seconds of CPU per call: a denial of service for an API that accepts rules),
 * its CommonJS/UMD build has no named ESM exports under Node, and its time-zone handling is known to be fragile. This
 * evaluator works on integer "epoch days", stops after a 400-year horizon (the Gregorian calendar repeats every 400
 * years, so for `INTERVAL=1` "nothing within 400 years" means "never") or after 31 Dec 9999, and charges every step
 * to a `WorkBudget`: BYxxx lists are lookup tables, so a day costs the same whatever they hold, and nothing is
 * allocated in proportion to a rule (at most one period's candidates, ≤ 366, for BYSETPOS).
 *
 * Supported: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, BYYEARDAY, BYDAY (with
 * ordinals for MONTHLY/YEARLY), BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, WKST. Rejected with a message: SECONDLY,
 * MINUTELY and HOURLY, and any rule giving more than one time a day (a task repeats at most once a day, checked on
 * the expanded rule: BYHOUR, BYMINUTE and BYSECOND hold one value each), BYWEEKNO (rarely used, subtle year-boundary
 * rules), DTSTART (the task's due date is the start), COUNT together with UNTIL (RFC 5545 forbids it).
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
import { ruleBudget, type WorkBudget, WorkBudgetExceeded } from "./WorkBudget.ts"

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
    // The product rule "a task repeats at most once a day" holds for the expanded rule, not only for FREQ: every
    // day it picks has one time, so BYHOUR × BYMINUTE × BYSECOND must be a single time of day.
    const timesPerDay =
      Math.max(1, byHour.length) * Math.max(1, byMinute.length) * Math.max(1, bySecond.length)
    if (timesPerDay > 1) {
      return yield* Result.fail(
        `A task repeats at most once a day, and this rule gives ${timesPerDay} times a day: BYHOUR, BYMINUTE and BYSECOND may each have one value`,
      )
    }
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

/** The last day a task can be due on: an occurrence after it ends the series (instants stop at year 9999). */
export const LAST_EPOCH_DAY = toEpochDay({ year: 9999, month: 12, day: 31 })

const ORDINALS = 54 // slots 0–53 per weekday in the BYDAY ordinal tables

/**
 * A rule compiled for one start: every BYxxx list as a lookup table, so testing a day costs the same whatever the
 * lists hold, and the one time of day its occurrences have. Parts the rule leaves out are taken from the start
 * (RFC 5545 / dateutil defaults).
 */
interface Compiled {
  readonly byMonth: Uint8Array | null
  readonly monthDay: { readonly pos: Uint8Array; readonly neg: Uint8Array } | null
  readonly yearDay: { readonly pos: Uint8Array; readonly neg: Uint8Array } | null
  /** Weekdays without an ordinal; non-null whenever BYDAY applies. */
  readonly weekdays: Uint8Array | null
  /** BYDAY ordinals, `weekday * 54 + n`, counted from the start (`pos`) or the end (`neg`) of the month or year. */
  readonly ordinals: { readonly pos: Uint8Array; readonly neg: Uint8Array; readonly inMonth: boolean } | null
  readonly setPos: { readonly pos: Uint8Array; readonly neg: Uint8Array } | null
  /** Milliseconds after midnight of every occurrence. */
  readonly time: number
}

const table = (size: number, values: ReadonlyArray<number>): Uint8Array => {
  const t = new Uint8Array(size)
  for (const v of values) t[v] = 1
  return t
}

/** Positive and negative values (-1 = last) as two tables indexed by their magnitude. */
const signedTable = (size: number, values: ReadonlyArray<number>) => ({
  pos: table(
    size,
    values.filter((v) => v > 0),
  ),
  neg: table(
    size,
    values.filter((v) => v < 0).map((v) => -v),
  ),
})

const compile = (rule: RecurrenceRule, start: LocalDateTime): Compiled => {
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
  const withOrdinal = byDay.filter((d) => d.ordinal !== null)
  return {
    byMonth: byMonth.length === 0 ? null : table(13, byMonth),
    monthDay: byMonthDay.length === 0 ? null : signedTable(32, byMonthDay),
    yearDay: rule.byYearDay.length === 0 ? null : signedTable(367, rule.byYearDay),
    weekdays:
      byDay.length === 0
        ? null
        : table(
            7,
            byDay.filter((d) => d.ordinal === null).map((d) => d.weekday),
          ),
    ordinals:
      withOrdinal.length === 0
        ? null
        : {
            pos: table(
              7 * ORDINALS,
              withOrdinal
                .filter((d) => (d.ordinal ?? 0) > 0)
                .map((d) => d.weekday * ORDINALS + (d.ordinal ?? 0)),
            ),
            neg: table(
              7 * ORDINALS,
              withOrdinal
                .filter((d) => (d.ordinal ?? 0) < 0)
                .map((d) => d.weekday * ORDINALS - (d.ordinal ?? 0)),
            ),
            // the nth weekday of the month (MONTHLY, or YEARLY with BYMONTH), otherwise of the year
            inMonth: rule.freq === "MONTHLY" || byMonth.length > 0,
          },
    setPos: rule.bySetPos.length === 0 ? null : signedTable(367, rule.bySetPos),
    time: timeToMillis({
      hour: rule.byHour[0] ?? start.hour,
      minute: rule.byMinute[0] ?? start.minute,
      second: rule.bySecond[0] ?? start.second,
      millisecond: start.millisecond,
    }),
  }
}

/** Whether one day passes the rule's day filters (BYMONTH is applied a whole month at a time by `scan`). */
const matches = (
  c: Compiled,
  dayOfMonth: number,
  monthLength: number,
  dayOfYear: number,
  yearLength: number,
  weekday: number,
): boolean => {
  const md = c.monthDay
  if (md !== null && md.pos[dayOfMonth] === 0 && md.neg[monthLength + 1 - dayOfMonth] === 0) return false
  const yd = c.yearDay
  if (yd !== null && yd.pos[dayOfYear] === 0 && yd.neg[yearLength + 1 - dayOfYear] === 0) return false
  if (c.weekdays === null || c.weekdays[weekday] === 1) return true
  const o = c.ordinals
  if (o === null) return false
  const position = o.inMonth ? dayOfMonth : dayOfYear
  const length = o.inMonth ? monthLength : yearLength
  const nth = Math.floor((position - 1) / 7) + 1
  const nthFromEnd = Math.floor((length - position) / 7) + 1
  return o.pos[weekday * ORDINALS + nth] === 1 || o.neg[weekday * ORDINALS + nthFromEnd] === 1
}

/**
 * The month containing a day, kept between calls so that walking day after day costs no calendar arithmetic and no
 * allocation: it is recomputed only when a day falls outside the month it holds.
 */
class MonthCursor {
  first = 1
  last = 0
  month = 0
  yearStart = 0
  yearLength = 0
  at(day: number): void {
    if (day >= this.first && day <= this.last) return
    const date = fromEpochDay(day)
    this.first = day - date.day + 1
    this.last = this.first + daysInMonth(date.year, date.month) - 1
    this.month = date.month
    this.yearStart = toEpochDay({ year: date.year, month: 1, day: 1 })
    this.yearLength = daysInYear(date.year)
  }
}

/**
 * Walks the days `first`, `first + stride`, … up to `last` (epoch days) month by month: a month BYMONTH excludes
 * costs one step, every other day examined one step. Returns the first matching day, or -1; with `collect`, gathers
 * every matching day instead.
 */
const scan = (
  c: Compiled,
  cursor: MonthCursor,
  first: number,
  last: number,
  stride: number,
  budget: WorkBudget,
  collect: number[] | null,
): number => {
  let day = first
  while (day <= last) {
    cursor.at(day)
    const end = Math.min(last, cursor.last)
    if (c.byMonth !== null && c.byMonth[cursor.month] === 0) {
      budget.charge(1)
      day += Math.ceil((end + 1 - day) / stride) * stride
      continue
    }
    budget.charge(Math.floor((end - day) / stride) + 2)
    const monthLength = cursor.last - cursor.first + 1
    for (; day <= end; day += stride) {
      const dayOfMonth = day - cursor.first + 1
      if (
        matches(
          c,
          dayOfMonth,
          monthLength,
          day - cursor.yearStart + 1,
          cursor.yearLength,
          weekdayOfEpochDay(day),
        )
      ) {
        if (collect === null) return day
        collect.push(day)
      }
    }
  }
  return -1
}

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

/** The first day of the period `index` (WEEKLY, MONTHLY, YEARLY: DAILY periods are single days, walked by stride). */
const periodFirstDay = (rule: RecurrenceRule, index: number): number => {
  switch (rule.freq) {
    case "DAILY":
      return index
    case "WEEKLY":
      // the week whose WKST-aligned start is in the 7-day block `index`
      return periodStart(rule, index * 7 + 6)
    case "MONTHLY": {
      const year = Math.floor(index / 12)
      return toEpochDay({ year, month: index - year * 12 + 1, day: 1 })
    }
    case "YEARLY":
      return toEpochDay({ year: index, month: 1, day: 1 })
  }
}

export interface NextAfterOptions {
  /** Occurrences later than this floating value are past UNTIL. For a UTC UNTIL the caller converts it to local time. */
  readonly untilFloating?: number | undefined
  /** Search horizon in days after `after` (default 400 years). */
  readonly horizonDays?: number | undefined
  /** The request's allowance of steps (default: a fresh `RULE_WORK_BUDGET`). */
  readonly budget?: WorkBudget | undefined
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
 * (a floating value from `toFloatingMillis`), or null when there is none before UNTIL, within the horizon, or by
 * 31 Dec 9999. COUNT is not applied here: a task chain carries it by decrementing it (see `nextOccurrence`).
 *
 * Work: at most one step per day and per FREQ period searched (about 300 000 for 400 years of a daily rule that
 * matches nothing), charged to `options.budget`; throws `WorkBudgetExceeded` when that runs out. Memory: one
 * period's candidates (at most 366) when the rule has BYSETPOS, nothing otherwise.
 */
export const nextAfter = (
  rule: RecurrenceRule,
  start: LocalDateTime,
  after: number,
  options: NextAfterOptions = {},
): LocalDateTime | null => {
  const budget = options.budget ?? ruleBudget()
  const c = compile(rule, start)
  const cursor = new MonthCursor()
  const startDay = toEpochDay(start)
  const startFloating = toFloatingMillis(start)
  const from = Math.max(after, startFloating - 1)
  const until = options.untilFloating ?? untilFloatingBound(rule.until) ?? Number.POSITIVE_INFINITY
  const fromDay = Math.floor(from / MILLIS_PER_DAY)
  const lastDay = Math.min(
    fromDay + (options.horizonDays ?? HORIZON_DAYS),
    Math.floor(until / MILLIS_PER_DAY),
    LAST_EPOCH_DAY,
  )
  const firstDay = Math.max(fromDay, startDay)
  // The occurrence on `day`: one (a local date-time), not one because it is not after `from` or the start
  // ("skip"), or past the end of the search ("end").
  const accept = (day: number): LocalDateTime | "skip" | "end" => {
    const value = day * MILLIS_PER_DAY + c.time
    if (day > lastDay || value > until) return "end"
    return value > from && value >= startFloating ? fromFloatingMillis(value) : "skip"
  }
  // The first occurrence among the days first, first + stride, … up to last.
  const walk = (first: number, last: number, stride: number): LocalDateTime | "none" | "end" => {
    for (let day = first; day <= last; day += stride) {
      const hit = scan(c, cursor, day, last, stride, budget, null)
      if (hit < 0) return "none"
      const found = accept(hit)
      if (found !== "skip") return found
      day = hit
    }
    return "none"
  }

  if (rule.freq === "DAILY" || (c.setPos === null && rule.interval === 1)) {
    // A DAILY period is one day: BYSETPOS keeps it when it names position 1 or -1, and INTERVAL is a stride. Any
    // other rule without BYSETPOS and with INTERVAL=1 keeps every period: one walk over the days either way.
    if (c.setPos !== null && c.setPos.pos[1] !== 1 && c.setPos.neg[1] !== 1) return null
    const stride = rule.freq === "DAILY" ? rule.interval : 1
    const first = firstDay + ((((startDay - firstDay) % stride) + stride) % stride)
    const found = walk(first, lastDay, stride)
    return typeof found === "string" ? null : found
  }

  const startIndex = periodIndex(rule, startDay)
  const fromIndex = periodIndex(rule, fromDay)
  const candidates: number[] = []
  for (let k = Math.max(0, Math.floor((fromIndex - startIndex) / rule.interval)); ; k++) {
    budget.charge(1)
    const index = startIndex + k * rule.interval
    const first = periodFirstDay(rule, index)
    if (first > lastDay) return null
    const last = periodFirstDay(rule, index + 1) - 1
    if (c.setPos === null) {
      const found = walk(Math.max(first, firstDay), last, 1)
      if (found === "end") return null
      if (found !== "none") return found
      continue
    }
    // BYSETPOS numbers the period's occurrences from its start (1, 2, …) or its end (-1, -2, …)
    candidates.length = 0
    scan(c, cursor, first, last, 1, budget, candidates)
    const n = candidates.length
    budget.charge(n)
    for (let i = 0; i < n; i++) {
      if (c.setPos.pos[i + 1] !== 1 && c.setPos.neg[n - i] !== 1) continue
      const found = accept(candidates[i] as number)
      if (found === "end") return null
      if (found !== "skip") return found
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
 * is impossible from any start. A daily rule whose INTERVAL is a whole number of weeks only ever lands on its start's
 * weekday, so it is probed from each weekday (`FREQ=DAILY;INTERVAL=7;BYDAY=MO` is possible from a Monday). Throws
 * `WorkBudgetExceeded` when the budget runs out first.
 */
export const producesOccurrences = (rule: RecurrenceRule, budget: WorkBudget = ruleBudget()): boolean => {
  const open = { ...rule, until: null }
  const starts = rule.freq === "DAILY" && rule.interval % 7 === 0 && rule.byDay.length > 0 ? 7 : 1
  for (let k = 0; k < starts; k++) {
    const start = { ...PROBE_START, day: PROBE_START.day + k }
    if (nextAfter(open, start, toFloatingMillis(start) - 1, { budget }) !== null) return true
  }
  return false
}

/**
 * Parses a rule and checks that it can be used: structurally valid (see `parseRule`) and producing dates, within
 * `budget`. Fails with one readable sentence, including when checking it would take more work than allowed.
 */
export const validateRule = (text: string, budget: WorkBudget = ruleBudget()): Parsed<RecurrenceRule> =>
  Result.flatMap(parseRule(text), (rule) => {
    try {
      return producesOccurrences(rule, budget)
        ? Result.succeed(rule)
        : Result.fail("This rule never produces a date")
    } catch (e) {
      if (e instanceof WorkBudgetExceeded) return Result.fail(tooCostly(e))
      throw e
    }
  })

/** The sentence for a rule whose evaluation ran out of budget. */
export const tooCostly = (e: WorkBudgetExceeded): string =>
  `This rule takes too much work to evaluate (more than ${e.limit} calendar steps): simplify it`
