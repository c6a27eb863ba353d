/**
 * The phrases quick add understands, each a sticky pattern tried at the start of a word and a reading of what it
 * means on the user's calendar. Readings work on local dates and times only (`today` is the user's today, computed
 * once from the instant and the user's zone), so nothing here depends on the server's time zone.
 *
 * Classes, not single phrases:
 * - days: today, tonight, tomorrow, the day after tomorrow, yesterday, a weekday ("fri", "this friday", "next
 *   friday" = the one in next week), next week / month / year, this / next weekend, end of (the) month / year / day,
 *   named dates ("dec 3", "3rd of december", "1. may", with or without a year), numeric dates ("2025-12-01",
 *   "12/25", "12/25/2026", "25.12.2026"), a bare ordinal day ("the 27th": the next month that has one);
 * - times: "9am", "9:30 pm", "21:00", "at 5" (1–7 without am/pm is afternoon), noon, midnight, "this evening",
 *   "in the morning", with an optional zone ("9am EST", "10:00 +02:00");
 * - relative: "in 3 days", "in a month" (clamped to the month's end), "after 2 weeks", "2 days from now", "in 2
 *   hours" (an exact duration);
 * - recurrences: "every …" (see RECURRENCES) and the adverbs daily, weekly, monthly, yearly, annually, quarterly,
 *   fortnightly, biennially, semiannually.
 *
 * A phrase marked `ambiguous` is also an ordinary word or number ("sun", "9/11", "21st", "weekly"): quick add takes
 * it only where a date is plainly meant (see QuickAdd.ts).
 */
import type { RepeatFrom } from "@todo/contracts"
import {
  addDays,
  addMonths,
  daysInMonth,
  isValidDate,
  type LocalDate,
  type LocalDateTime,
  type LocalTime,
  toEpochDay,
  type Weekday,
  weekdayOf as weekdayOfDate,
} from "@todo/calendar"
import { validateRule, type WorkBudget } from "@todo/calendar/recurrence"
import { Result } from "effect"
import {
  CONNECTORS,
  COUNT,
  codeOf,
  countOf,
  DAY_NUMBER,
  END,
  isShortWeekday,
  MONTH,
  monthOf,
  ORDINAL,
  ordinalOf,
  WEEKDAY,
  weekdayOf,
  weekdaysIn,
} from "./Words.ts"

export interface Context {
  /** The user's local date and time now. */
  readonly nowLocal: LocalDateTime
  readonly today: LocalDate
  /** Now, epoch milliseconds. */
  readonly now: number
  readonly budget: WorkBudget
  /** Rules already checked in this text, so repeating a phrase costs nothing more. */
  readonly checkedRules: Map<string, boolean>
}

export type Meaning =
  | { readonly type: "day"; readonly date: LocalDate }
  | {
      readonly type: "time"
      readonly time: LocalTime
      /** A zone offset given with the time ("9am EST"): the time is then an exact instant. */
      readonly offsetMinutes: number | null
    }
  | { readonly type: "dayTime"; readonly date: LocalDate; readonly time: LocalTime }
  | { readonly type: "instant"; readonly millis: number }
  | {
      readonly type: "recurrence"
      readonly rule: string
      readonly repeatFrom: RepeatFrom
      /** The time the phrase itself names ("every evening"). */
      readonly time: LocalTime | null
    }

export interface Phrase {
  readonly name: string
  /** Sticky and case-insensitive: tried at one position. */
  readonly pattern: RegExp
  /** What a match means, or undefined when it means nothing after all (Feb 30, an hour past 23). */
  readonly read: (m: RegExpExecArray, ctx: Context) => Meaning | undefined
  /** Also an ordinary word or number. */
  readonly ambiguous?: (m: RegExpExecArray) => boolean
  /** Taken only right after one of these connector words ("at 5"). */
  readonly needs?: ReadonlyArray<string>
  /**
   * A match that reads as nothing (an impossible date such as "apr 31") is still consumed, so that its pieces do not
   * make another date with their neighbours ("apr 31 jan" is not 31 January).
   */
  readonly consumesInvalid?: boolean
  /** Connector words that also leave the title with this phrase ("the 27th"); `on`, `at`, `@`… always do. */
  readonly alsoClearAfter?: ReadonlyArray<string>
}

const sticky = (source: string) => new RegExp(`(?:${source})${END}`, "iy")

const at = (hour: number, minute = 0, second = 0): LocalTime => ({ hour, minute, second, millisecond: 0 })

// --- calendar helpers ---------------------------------------------------------------------------------------------

/** The next day with this weekday, today included. */
const comingWeekday = (today: LocalDate, weekday: Weekday): LocalDate =>
  addDays(today, (weekday - weekdayOfDate(today) + 7) % 7)

/** Monday of the week after this one. */
const nextMonday = (today: LocalDate): LocalDate => addDays(today, 7 - ((weekdayOfDate(today) + 6) % 7))

/** This weekday in the week after this one (weeks start on Monday). */
const weekdayNextWeek = (today: LocalDate, weekday: Weekday): LocalDate =>
  addDays(nextMonday(today), (weekday + 6) % 7)

/** The next `month`/`day` on or after today; Feb 29 waits for a leap year. */
const comingMonthDay = (today: LocalDate, month: number, day: number): LocalDate | undefined => {
  for (let year = today.year; year <= today.year + 8; year++) {
    const date = { year, month, day }
    if (isValidDate(date) && toEpochDay(date) >= toEpochDay(today)) return date
  }
  return undefined
}

/** The next day-of-month `day` on or after today, skipping months that do not have it. */
const comingDayOfMonth = (today: LocalDate, day: number): LocalDate | undefined => {
  for (let k = 0; k <= 12; k++) {
    const { year, month } = addMonths({ ...today, day: 1 }, k)
    if (day <= daysInMonth(year, month) && (k > 0 || day >= today.day)) return { year, month, day }
  }
  return undefined
}

const date = (year: number, month: number, day: number): LocalDate | undefined => {
  const d = { year, month, day }
  return isValidDate(d) ? d : undefined
}

/** "may" and "march" in lower case are as often verbs ("Top 10 may change") as months. */
const isVerbMonth = (word: string | undefined): boolean =>
  word === "may" || word === "march" || word === "mar"

const fullYear = (text: string): number => (text.length === 2 ? 2000 + Number(text) : Number(text))

/** A named date: with a year, that date; without, the next one on or after today. */
const namedDate = (
  ctx: Context,
  monthWord: string | undefined,
  dayText: string | undefined,
  year: string | undefined,
) => {
  const month = monthOf(monthWord ?? "")
  const day = Number.parseInt(dayText ?? "", 10)
  return dayMeaning(
    year === undefined ? comingMonthDay(ctx.today, month, day) : date(Number(year), month, day),
  )
}

const dayMeaning = (d: LocalDate | undefined): Meaning | undefined =>
  d === undefined ? undefined : { type: "day", date: d }

// --- times --------------------------------------------------------------------------------------------------------

const ZONES: Readonly<Record<string, number>> = {
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  cet: 60,
  cest: 120,
  bst: 60,
  jst: 540,
  aest: 600,
  aedt: 660,
}
const ZONE = String.raw`(?:\s*(utc|gmt|z|[ecmp][sd]t|cet|cest|bst|jst|aest|aedt|[+-]\d{2}:?\d{2}))?`

const offsetOf = (zone: string | undefined): number | null => {
  if (zone === undefined) return null
  const lower = zone.toLowerCase()
  if (lower in ZONES) return ZONES[lower] ?? null
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(lower)
  if (m === null) return null
  const minutes = Number(m[2]) * 60 + Number(m[3])
  return minutes > 14 * 60 ? null : m[1] === "-" ? -minutes : minutes
}

/** "at 5" or "5:30" without am/pm, 1–7 o'clock: a to-do means the afternoon ("05:30" stays morning). */
const guessPm = (hour: number, written: string): number =>
  hour >= 1 && hour <= 7 && !written.startsWith("0") ? hour + 12 : hour

const PARTS_OF_DAY: Readonly<Record<string, LocalTime>> = {
  morning: at(9),
  afternoon: at(15),
  evening: at(19),
  night: at(22),
  tonight: at(20),
  noon: at(12),
  midday: at(12),
  midnight: at(0),
}
const partOfDay = (word: string): LocalTime => PARTS_OF_DAY[word.toLowerCase()] ?? at(9)

const time = (t: LocalTime, offsetMinutes: number | null = null): Meaning => ({
  type: "time",
  time: t,
  offsetMinutes,
})

// --- recurrences --------------------------------------------------------------------------------------------------

const SEP = String.raw`(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*\/\s*|\s*\+\s*)`
const WEEKDAY_LIST = `${WEEKDAY}(?:${SEP}${WEEKDAY})*`
const MONTHDAY_LIST = String.raw`(?:the\s+)?${ORDINAL}(?:${SEP}(?:the\s+)?${ORDINAL})*(?:\s+days?)?`
const OF_MONTH = String.raw`(?:\s+of\s+(?:the|each|every)\s+month)?`
const NOT_SUBDAILY = String.raw`(?!\s+(?:hours?|hrs?|minutes?|mins?|seconds?|secs?)\b)`

const withInterval = (freq: string, interval: number, extra = ""): string | undefined =>
  interval < 1 || interval > 999
    ? undefined
    : `FREQ=${freq}${interval > 1 ? `;INTERVAL=${interval}` : ""}${extra}`

const byDay = (text: string) =>
  weekdaysIn(text)
    .map((w) => codeOf(w))
    .join(",")

/** A month and day that exist in some year (Feb 29 included). */
const yearlyOn = (month: number, day: number, interval = 1): string | undefined =>
  month >= 1 && day >= 1 && day <= daysInMonth(2000, month)
    ? withInterval("YEARLY", interval, `;BYMONTH=${month};BYMONTHDAY=${day}`)
    : undefined

type RuleBody = readonly [
  pattern: string,
  /** Reads the body's text (`m[0]`) and its groups. */
  build: (m: ReadonlyArray<string | undefined>) => { rule: string | undefined; time?: LocalTime } | undefined,
]

/** What may follow "every": longest and most specific first. */
const RECURRENCES: ReadonlyArray<RuleBody> = [
  [String.raw`(?:week\s?|work\s?)days?`, () => ({ rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" })],
  ["weekends?", () => ({ rule: "FREQ=WEEKLY;BYDAY=SA,SU" })],
  ["(morning|afternoon|evening|night)s?", (m) => ({ rule: "FREQ=DAILY", time: partOfDay(m[1] ?? "") })],
  [String.raw`(?:the\s+)?last\s+day${OF_MONTH}`, () => ({ rule: "FREQ=MONTHLY;BYMONTHDAY=-1" })],
  [
    String.raw`(?:the\s+)?(${ORDINAL})\s+(${WEEKDAY})${OF_MONTH}`,
    (m) => {
      const n = ordinalOf(m[1] ?? "")
      const day = weekdayOf(m[2] ?? "")
      return n === undefined || n > 5 || day === undefined
        ? undefined
        : { rule: `FREQ=MONTHLY;BYDAY=${n}${codeOf(day)}` }
    },
  ],
  // every other tuesday, every 2 mondays and thursdays: weekly, every N weeks on those days
  [
    String.raw`(${COUNT})\s+(${WEEKDAY_LIST})`,
    (m) => ({ rule: withInterval("WEEKLY", countOf(m[1]), `;BYDAY=${byDay(m[2] ?? "")}`) }),
  ],
  [
    String.raw`(?:(${COUNT})\s+)?weeks?(?:\s+on\s+(${WEEKDAY_LIST}))?`,
    (m) => ({
      rule: withInterval("WEEKLY", countOf(m[1]), m[2] === undefined ? "" : `;BYDAY=${byDay(m[2])}`),
    }),
  ],
  ["fortnight", () => ({ rule: "FREQ=WEEKLY;INTERVAL=2" })],
  [
    String.raw`(?:(${COUNT})\s+)?months?\s+on\s+(?:the\s+)?(${ORDINAL})\s+(${WEEKDAY})`,
    (m) => {
      const n = ordinalOf(m[2] ?? "")
      const day = weekdayOf(m[3] ?? "")
      return n === undefined || n > 5 || day === undefined
        ? undefined
        : { rule: withInterval("MONTHLY", countOf(m[1]), `;BYDAY=${n}${codeOf(day)}`) }
    },
  ],
  [
    String.raw`(?:(${COUNT})\s+)?months?(?:\s+on\s+(${MONTHDAY_LIST}))?`,
    (m) => {
      if (m[2] === undefined) return { rule: withInterval("MONTHLY", countOf(m[1])) }
      const days: number[] = []
      for (const t of m[2].matchAll(new RegExp(ORDINAL, "gi"))) {
        const v = ordinalOf(t[0])
        if (v === undefined) return undefined
        if (!days.includes(v)) days.push(v)
      }
      return { rule: withInterval("MONTHLY", countOf(m[1]), `;BYMONTHDAY=${days.join(",")}`) }
    },
  ],
  [
    String.raw`(?:(${COUNT})\s+)?years?(?:\s+on\s+(${MONTH})\s*(${DAY_NUMBER}))?`,
    (m) =>
      m[2] === undefined
        ? { rule: withInterval("YEARLY", countOf(m[1])) }
        : { rule: yearlyOn(monthOf(m[2]), Number.parseInt(m[3] ?? "", 10), countOf(m[1])) },
  ],
  [String.raw`(?:(${COUNT})\s+)?days?`, (m) => ({ rule: withInterval("DAILY", countOf(m[1])) })],
  [WEEKDAY_LIST, (m) => ({ rule: `FREQ=WEEKLY;BYDAY=${byDay(m[0] ?? "")}` })],
  [
    String.raw`(${MONTH})\s*(${DAY_NUMBER})`,
    (m) => ({ rule: yearlyOn(monthOf(m[1] ?? ""), Number.parseInt(m[2] ?? "", 10)) }),
  ],
  [
    String.raw`(${DAY_NUMBER})\s+(?:of\s+)?(${MONTH})`,
    (m) => ({ rule: yearlyOn(monthOf(m[2] ?? ""), Number.parseInt(m[1] ?? "", 10)) }),
  ],
  // every 27th, every 27, every 15th of the month
  [
    String.raw`(?:the\s+)?(${DAY_NUMBER})${NOT_SUBDAILY}(?:\s+day)?${OF_MONTH}`,
    (m) => ({ rule: `FREQ=MONTHLY;BYMONTHDAY=${Number.parseInt(m[1] ?? "", 10)}` }),
  ],
]

const ADVERBS: Readonly<Record<string, string>> = {
  daily: "FREQ=DAILY",
  weekly: "FREQ=WEEKLY",
  fortnightly: "FREQ=WEEKLY;INTERVAL=2",
  monthly: "FREQ=MONTHLY",
  quarterly: "FREQ=MONTHLY;INTERVAL=3",
  semiannually: "FREQ=MONTHLY;INTERVAL=6",
  "semi-annually": "FREQ=MONTHLY;INTERVAL=6",
  yearly: "FREQ=YEARLY",
  annually: "FREQ=YEARLY",
  biennially: "FREQ=YEARLY;INTERVAL=2",
}

/** Whether a rule quick add built can be used: checked once per text and rule, within the request's budget. */
const usable = (rule: string, ctx: Context): boolean => {
  const known = ctx.checkedRules.get(rule)
  if (known !== undefined) return known
  const ok = Result.isSuccess(validateRule(rule, ctx.budget))
  ctx.checkedRules.set(rule, ok)
  return ok
}

/** One phrase per form of "every …" (and "every! …", which counts from completion), tried in RECURRENCES' order. */
const EVERY_PHRASES: ReadonlyArray<Phrase> = RECURRENCES.map(([pattern, build]) => ({
  name: "every",
  pattern: sticky(String.raw`every(!?)\s+(?:${pattern})`),
  read: (m, ctx) => {
    // the body's text, then its groups (they follow the "!" group in this pattern)
    const built = build([m[0].replace(/^every!?\s+/i, ""), ...m.slice(2)])
    if (built?.rule === undefined || !usable(built.rule, ctx)) return undefined
    return {
      type: "recurrence",
      rule: built.rule,
      repeatFrom: m[1] === "!" ? "completion" : "dueDate",
      time: built.time ?? null,
    }
  },
}))

// --- the phrases, in the order they are tried at a position -------------------------------------------------------

const RELATIVE_UNIT = "(days?|weeks?|fortnights?|months?|years?|hours?|hrs?|minutes?|mins?)"

const relative = (amount: number, unit: string, ctx: Context): Meaning | undefined => {
  if (!Number.isFinite(amount) || amount <= 0 || amount > 10_000) return undefined
  const u = unit.toLowerCase()
  if (u.startsWith("h")) return { type: "instant", millis: ctx.now + Math.round(amount * 3_600_000) }
  if (u.startsWith("min")) return { type: "instant", millis: ctx.now + Math.round(amount * 60_000) }
  if (!Number.isInteger(amount)) return undefined
  if (u.startsWith("day")) return dayMeaning(addDays(ctx.today, amount))
  if (u.startsWith("week")) return dayMeaning(addDays(ctx.today, 7 * amount))
  if (u.startsWith("fortnight")) return dayMeaning(addDays(ctx.today, 14 * amount))
  if (u.startsWith("month")) return dayMeaning(addMonths(ctx.today, amount))
  return dayMeaning(addMonths(ctx.today, 12 * amount))
}

const amountOf = (text: string): number => {
  const lower = text.toLowerCase().replace(/\s+/g, " ")
  if (lower.startsWith("half")) return 0.5
  return countOf(lower)
}

export const PHRASES: ReadonlyArray<Phrase> = [
  ...EVERY_PHRASES,
  {
    name: "adverb",
    pattern: sticky(Object.keys(ADVERBS).join("|")),
    read: (m, ctx) => {
      const rule = ADVERBS[m[0].toLowerCase()]
      return rule === undefined || !usable(rule, ctx)
        ? undefined
        : { type: "recurrence", rule, repeatFrom: "dueDate", time: null }
    },
    ambiguous: () => true,
  },
  // 2025-12-01, 2025-12-01 14:00, 2030-10-12T13:37
  {
    name: "iso",
    consumesInvalid: true,
    pattern: sticky(String.raw`(\d{4})-(\d{2})-(\d{2})(?:[T\s]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?)?`),
    read: (m) => {
      const d = date(Number(m[1]), Number(m[2]), Number(m[3]))
      if (d === undefined) return undefined
      return m[4] === undefined
        ? { type: "day", date: d }
        : { type: "dayTime", date: d, time: at(Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) }
    },
  },
  {
    name: "ymd",
    consumesInvalid: true,
    pattern: sticky(String.raw`(\d{4})\/(\d{1,2})\/(\d{1,2})`),
    read: (m) => dayMeaning(date(Number(m[1]), Number(m[2]), Number(m[3]))),
  },
  // 12/25/2026, 6/7/21: month first (a day-first date with a year is not guessed: 27/07/2021 is no date)
  {
    name: "mdy",
    consumesInvalid: true,
    pattern: sticky(String.raw`(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})`),
    read: (m) => dayMeaning(date(fullYear(m[3] ?? ""), Number(m[1]), Number(m[2]))),
  },
  // 25.12.2026
  {
    name: "dmy",
    consumesInvalid: true,
    pattern: sticky(String.raw`(\d{1,2})\.(\d{1,2})\.(\d{4})`),
    read: (m) => dayMeaning(date(Number(m[3]), Number(m[2]), Number(m[1]))),
  },
  // 12/25 (month first), else 27/1 (day first): the next such date
  {
    name: "md",
    consumesInvalid: true,
    pattern: sticky(String.raw`(\d{1,2})\/(\d{1,2})`),
    read: (m, ctx) => {
      const a = Number(m[1])
      const b = Number(m[2])
      const monthFirst = a >= 1 && a <= 12 && b >= 1 && b <= daysInMonth(2000, a)
      const dayFirst = b >= 1 && b <= 12 && a >= 1 && a <= daysInMonth(2000, b)
      if (monthFirst) return dayMeaning(comingMonthDay(ctx.today, a, b))
      return dayFirst ? dayMeaning(comingMonthDay(ctx.today, b, a)) : undefined
    },
    ambiguous: () => true,
  },
  // dec 3, December 3rd, 2026, sep. 17
  {
    name: "month-day",
    consumesInvalid: true,
    pattern: sticky(String.raw`(${MONTH})\s*(${DAY_NUMBER})(?:,?\s+(\d{4}))?`),
    read: (m, ctx) => namedDate(ctx, m[1], m[2], m[3]),
    ambiguous: (m) => isVerbMonth(m[1]),
  },
  // 3 dec, 3rd of December 2026, 1. may
  {
    name: "day-month",
    consumesInvalid: true,
    pattern: sticky(String.raw`(${DAY_NUMBER})\.?\s+(?:of\s+)?(${MONTH})(?:,?\s+(\d{4}))?`),
    read: (m, ctx) => namedDate(ctx, m[2], m[1], m[3]),
    ambiguous: (m) => isVerbMonth(m[2]),
  },
  {
    name: "day after tomorrow",
    pattern: sticky(String.raw`(?:the\s+)?day\s+after\s+tomorrow`),
    read: (_, ctx) => dayMeaning(addDays(ctx.today, 2)),
  },
  { name: "today", pattern: sticky("today"), read: (_, ctx) => dayMeaning(ctx.today) },
  {
    name: "tonight",
    pattern: sticky("tonight"),
    read: (_, ctx) => ({ type: "dayTime", date: ctx.today, time: at(20) }),
  },
  {
    name: "tomorrow",
    pattern: sticky("tomorrow|tmrw|tmr"),
    read: (_, ctx) => dayMeaning(addDays(ctx.today, 1)),
  },
  { name: "yesterday", pattern: sticky("yesterday"), read: (_, ctx) => dayMeaning(addDays(ctx.today, -1)) },
  {
    name: "this morning",
    pattern: sticky(String.raw`this\s+(morning|afternoon|evening)`),
    read: (m, ctx) => ({ type: "dayTime", date: ctx.today, time: partOfDay(m[1] ?? "") }),
  },
  {
    name: "this/next weekday",
    pattern: sticky(String.raw`(this|next|coming)\s+(${WEEKDAY})`),
    read: (m, ctx) => {
      const w = weekdayOf(m[2] ?? "")
      if (w === undefined) return undefined
      return dayMeaning(
        m[1]?.toLowerCase() === "next" ? weekdayNextWeek(ctx.today, w) : comingWeekday(ctx.today, w),
      )
    },
  },
  {
    name: "weekday",
    pattern: sticky(WEEKDAY),
    read: (m, ctx) => {
      const w = weekdayOf(m[0])
      return w === undefined ? undefined : dayMeaning(comingWeekday(ctx.today, w))
    },
    ambiguous: (m) => isShortWeekday(m[0]),
  },
  {
    name: "next week",
    pattern: sticky(String.raw`next\s+week`),
    read: (_, ctx) => dayMeaning(nextMonday(ctx.today)),
  },
  {
    name: "next month",
    pattern: sticky(String.raw`next\s+month`),
    read: (_, ctx) => dayMeaning(addMonths({ ...ctx.today, day: 1 }, 1)),
  },
  {
    name: "next year",
    pattern: sticky(String.raw`next\s+year`),
    read: (_, ctx) => dayMeaning({ year: ctx.today.year + 1, month: 1, day: 1 }),
  },
  {
    name: "weekend",
    pattern: sticky(String.raw`(this|next)\s+weekend`),
    read: (m, ctx) => {
      const day = weekdayOfDate(ctx.today)
      if (m[1]?.toLowerCase() === "next") return dayMeaning(weekdayNextWeek(ctx.today, 6))
      return dayMeaning(day === 0 ? ctx.today : comingWeekday(ctx.today, 6))
    },
  },
  {
    name: "end of",
    pattern: sticky(String.raw`(?:the\s+)?end\s+of\s+(?:the\s+)?(month|year|day)|eod`),
    read: (m, ctx) => {
      const what = (m[1] ?? "day").toLowerCase()
      const { year, month } = ctx.today
      if (what === "month") return dayMeaning({ year, month, day: daysInMonth(year, month) })
      if (what === "year") return dayMeaning({ year, month: 12, day: 31 })
      return { type: "dayTime", date: ctx.today, time: at(23, 59) }
    },
  },
  // in 3 days, in a month, after 2 weeks, within 10 days, in half an hour, in 2 hours
  {
    name: "in",
    pattern: sticky(String.raw`(?:in|within|after)\s+(${COUNT}|half\s+an?)\s+${RELATIVE_UNIT}`),
    read: (m, ctx) => relative(amountOf(m[1] ?? ""), m[2] ?? "", ctx),
  },
  // 3 days from now, 2 weeks later
  {
    name: "from now",
    pattern: sticky(String.raw`(${COUNT})\s+${RELATIVE_UNIT}\s+(?:from\s+now|from\s+today|later)`),
    read: (m, ctx) => relative(countOf(m[1]), m[2] ?? "", ctx),
  },
  // the 27th: the next month that has one
  {
    name: "ordinal day",
    pattern: sticky(String.raw`(\d{1,2})(?:st|nd|rd|th)`),
    read: (m, ctx) => {
      const day = Number(m[1])
      return day >= 1 && day <= 31 ? dayMeaning(comingDayOfMonth(ctx.today, day)) : undefined
    },
    ambiguous: () => true,
    alsoClearAfter: ["the"],
  },
  // 9am, 9:30 pm, 12 a.m., with an optional zone
  {
    name: "clock 12h",
    pattern: sticky(String.raw`(\d{1,2})(?::([0-5]\d))?\s*(a\.?m\.?|p\.?m\.?)${ZONE}`),
    read: (m) => {
      const h = Number(m[1])
      if (h < 1 || h > 12) return undefined
      const pm = (m[3] ?? "").toLowerCase().startsWith("p")
      return time(at((h % 12) + (pm ? 12 : 0), Number(m[2] ?? 0)), offsetOf(m[4]))
    },
  },
  // 21:00, 5:30 (afternoon), 05:30 (morning)
  {
    name: "clock 24h",
    pattern: sticky(String.raw`([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?${ZONE}`),
    read: (m) => {
      const offset = offsetOf(m[4])
      const written = m[1] ?? ""
      const hour = offset === null ? guessPm(Number(written), written) : Number(written)
      return time(at(hour, Number(m[2]), Number(m[3] ?? 0)), offset)
    },
  },
  // at 5, @ 4
  {
    name: "bare hour",
    pattern: sticky(String.raw`([01]?\d|2[0-3])${ZONE}`),
    read: (m) => {
      const offset = offsetOf(m[2])
      const written = m[1] ?? ""
      return time(at(offset === null ? guessPm(Number(written), written) : Number(written)), offset)
    },
    needs: ["at", "@"],
  },
  { name: "noon", pattern: sticky("noon|midday|midnight"), read: (m) => time(partOfDay(m[0])) },
  {
    name: "in the morning",
    pattern: sticky(String.raw`in\s+the\s+(morning|afternoon|evening)|at\s+night`),
    read: (m) => time(partOfDay(m[1] ?? "night")),
  },
  {
    name: "part of day",
    pattern: sticky("morning|afternoon|evening|night"),
    read: (m) => time(partOfDay(m[0])),
    ambiguous: () => true,
  },
]

/**
 * The connector word right before `start` ("on", "@", …) and where it starts, or null. A word counts only when it
 * stands alone ("dragon friday" has none); "@" may touch what follows ("@4pm").
 */
export const connectorBefore = (text: string, start: number): { word: string; start: number } | null => {
  let i = start
  while (i > 0 && /\s/.test(text[i - 1] ?? "")) i--
  if (i > 0 && text[i - 1] === "@") {
    const before = text[i - 2]
    return before === undefined || /[\s(,;]/.test(before) ? { word: "@", start: i - 1 } : null
  }
  let j = i
  while (j > 0 && j > i - 12 && /[a-z]/i.test(text[j - 1] ?? "")) j--
  const word = text.slice(j, i).toLowerCase()
  if (!CONNECTORS.has(word) && word !== "the") return null
  const before = text[j - 1]
  return before === undefined || /[\s(,;]/.test(before) ? { word, start: j } : null
}
