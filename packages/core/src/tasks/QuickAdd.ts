/**
 * Quick add: one line of text → title, due date, recurrence, priority and tags (`QuickAddParse`).
 *
 * What is understood, and the choices made:
 * - **Tags**: `#word` (letters, digits, `_ - . / :`; trailing `. / : -` dropped), lower-cased, deduplicated, at most
 *   20 (later ones stay in the title), at most 50 characters each (longer ones stay in the title).
 * - **Priority**: `!low` `!medium` `!high` `!urgent`, `!1`…`!4` and Todoist's `p1`…`p4` (1 = urgent, 4 = low), as
 *   standalone words. Several: the last one wins; all are removed from the title.
 * - **Recurrence**: phrases starting with `every` (or `every!`, which sets `repeatFrom: "completion"`): "every day",
 *   "every 3 days", "every other week", "every weekday", "every weekend", "every monday and thursday",
 *   "every 2 weeks on mon, thu", "every month on the 1st", "every month on the 15th and last day",
 *   "every month on the last friday", "every last friday of the month", "every 1st", "every year", "every dec 25",
 *   "every last day of the month".
 *   Bare "daily"/"weekly" are not taken (they are too often part of a title: "Weekly report").
 * - **Dates and times**: chrono-node (English, casual, forward dates) on the text left after the parts above,
 *   interpreted as wall-clock time in the user's zone (DST-correct: "tomorrow 9am" the day after a DST change is
 *   still 09:00 local). Relative times ("in 2 hours") are exact durations from `now`. A small connector word in front
 *   ("on", "at", "by", "due", "starting", "from", "before") is removed from the title with the date. Not taken: "now" alone,
 *   and bare durations without "in"/"within"/"after"/"from now"/"later" ("Buy 2 weeks of food" keeps its title).
 * - **Bare hours**: "at 5" or "at 5:30" without am/pm is taken as 17:00 / 17:30 (hours 1–7; "05:30" stays
 *   morning). Lower-case bare weekday abbreviations and times of day ("sun", "sat", "evening") are not taken as dates.
 * - **Default times**: a date without a time is due at 09:00 local; "morning" 09:00, "afternoon" 15:00, "evening"
 *   19:00, "tonight" 20:00, "noon" 12:00, "midnight" 00:00. A date-only "today" whose 09:00 has passed is due at
 *   23:59 today ("by the end of today") rather than already overdue.
 * - **Recurrence without a date**: the first due date is the first occurrence at or after today at the given time
 *   (default 09:00) that is still ahead; when today's time has already passed, the rule starts tomorrow. With a
 *   date ("every monday starting dec 1"), the rule starts on that date.
 * - **Title**: the text with every recognised part removed, whitespace collapsed, stray separators trimmed, cut to
 *   200 characters. Never empty: it falls back to the original text (and to "Untitled" for an empty input).
 * - Never throws; `now` and `timezone` are parameters (an unknown zone falls back to UTC).
 */
import * as chrono from "chrono-node"
import type { Priority, QuickAddParse, RepeatFrom } from "@todo/contracts"
import { DateTime, Result } from "effect"
import {
  addDays,
  type LocalDate,
  type LocalTime,
  toEpochDay,
  toFloatingMillis,
} from "@todo/calendar/Calendar"
import {
  fromLocal,
  type InstantInput,
  isValidTimeZone,
  offsetMinutes,
  toEpochMillis,
  toLocal,
} from "@todo/calendar/Zoned"
import { validateRule } from "@todo/calendar/RRule"
import { firstOccurrence } from "./Recurrence.ts"

export interface QuickAddOptions {
  /** The current instant: relative dates ("tomorrow", "in 2 hours") are computed from it. */
  readonly now: InstantInput
  /** The user's IANA zone. */
  readonly timezone: string
  /** Time of day for a date given without one (default 09:00). */
  readonly defaultTime?: { readonly hour: number; readonly minute: number } | undefined
}

type Kind = QuickAddParse["recognized"][number]["kind"]

interface Span {
  readonly start: number
  readonly end: number
  readonly kind: Kind
}

export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 50
export const MAX_TITLE_LENGTH = 200
/** Text beyond this many characters is kept in the title but not searched for dates or recurrences. */
const MAX_SCANNED = 1000

// ---------------------------------------------------------------------------------------------------------------------
// tags and priority
// ---------------------------------------------------------------------------------------------------------------------

const TAG = /(^|[\s(,;])#([\p{L}\p{N}_][\p{L}\p{N}\p{M}_\-./:]*)/gu

const PRIORITY_WORDS: Record<string, Priority> = {
  "!low": "low",
  "!medium": "medium",
  "!high": "high",
  "!urgent": "urgent",
  "!1": "urgent",
  "!2": "high",
  "!3": "medium",
  "!4": "low",
  p1: "urgent",
  p2: "high",
  p3: "medium",
  p4: "low",
}
const PRIORITY = /(^|[\s(,;])(!(?:low|medium|high|urgent|[1-4])|p[1-4])(?=$|[\s.,;:!?)])/giu

// ---------------------------------------------------------------------------------------------------------------------
// recurrence phrases
// ---------------------------------------------------------------------------------------------------------------------

const WEEKDAY_PATTERNS: ReadonlyArray<readonly [code: string, pattern: string]> = [
  ["MO", "mon(?:day)?s?"],
  ["TU", "tue(?:s(?:day)?|sday)?s?"],
  ["WE", "wed(?:nesday)?s?"],
  ["TH", "thu(?:r(?:s(?:day)?)?|rsday)?s?"],
  ["FR", "fri(?:day)?s?"],
  ["SA", "sat(?:urday)?s?"],
  ["SU", "sun(?:day)?s?"],
]
const WD = `(?:${WEEKDAY_PATTERNS.map(([, p]) => p).join("|")})`
const SEP = String.raw`(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*\/\s*|\s*\+\s*)`
const WD_LIST = `${WD}(?:${SEP}${WD})*`
const ORD_NUM = String.raw`\d{1,2}(?:st|nd|rd|th)?`
const ORD_WORDS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, last: -1 }
const ORD = String.raw`(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|last)`
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const MONTH =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
const NUMBER_WORDS: Record<string, number> = {
  other: 2,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
}
const COUNT = String.raw`(?:\d{1,3}|other|two|three|four|five|six|seven|eight|nine|ten)`
const END = String.raw`(?=$|[\s.,;:!?)])`
/** "the 1st", "the 15th and last day", "1st, 15th" */
const MONTHDAY_LIST = String.raw`(?:the\s+)?${ORD}(?:${SEP}(?:the\s+)?${ORD})*(?:\s+days?)?`

const weekdaysIn = (text: string): string[] => {
  const out: string[] = []
  for (const token of text.toLowerCase().split(/[^a-z]+/)) {
    const hit = WEEKDAY_PATTERNS.find(([, p]) => new RegExp(`^${p}$`).test(token))
    if (hit !== undefined && !out.includes(hit[0])) out.push(hit[0])
  }
  return out
}

const ordinalValue = (token: string): number | undefined => {
  const lower = token.toLowerCase()
  if (lower in ORD_WORDS) return ORD_WORDS[lower]
  const n = Number.parseInt(lower, 10)
  return Number.isFinite(n) && n >= 1 && n <= 31 ? n : undefined
}

const monthDaysIn = (text: string): number[] | undefined => {
  const out: number[] = []
  for (const m of text.toLowerCase().matchAll(new RegExp(ORD, "g"))) {
    const v = ordinalValue(m[0])
    if (v === undefined) return undefined
    if (!out.includes(v)) out.push(v)
  }
  return out.length === 0 ? undefined : out
}

const intervalOf = (token: string | undefined): number => {
  if (token === undefined) return 1
  const lower = token.toLowerCase()
  return NUMBER_WORDS[lower] ?? Number.parseInt(lower, 10)
}

interface RecurrenceMatch {
  readonly start: number
  readonly end: number
  readonly rule: string
  readonly repeatFrom: RepeatFrom
}

type Alternative = readonly [pattern: RegExp, build: (m: RegExpExecArray) => string | undefined]

const sticky = (source: string) => new RegExp(`${source}${END}`, "iy")

const withInterval = (freq: string, interval: number, extra = ""): string | undefined =>
  interval < 1 || interval > 999
    ? undefined
    : `FREQ=${freq}${interval > 1 ? `;INTERVAL=${interval}` : ""}${extra}`

const ALTERNATIVES: ReadonlyArray<Alternative> = [
  // every weekday / workday
  [sticky(String.raw`(?:week\s?|work\s?)days?`), () => "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
  // every weekend
  [sticky("weekends?"), () => "FREQ=WEEKLY;BYDAY=SA,SU"],
  // every last day of the month
  [
    sticky(String.raw`(?:the\s+)?last\s+day(?:\s+of\s+(?:the|each|every)\s+month)?`),
    () => "FREQ=MONTHLY;BYMONTHDAY=-1",
  ],
  // every last friday (of the month) / every 2nd tuesday of the month
  [
    sticky(String.raw`(?:the\s+)?(${ORD})\s+(${WD})(?:\s+of\s+(?:the|each|every)\s+month)?`),
    (m) => {
      const n = ordinalValue(m[1] ?? "")
      const day = weekdaysIn(m[2] ?? "")[0]
      return n === undefined || n > 5 || day === undefined ? undefined : `FREQ=MONTHLY;BYDAY=${n}${day}`
    },
  ],
  // every (N|other) week(s) [on mon, thu]
  [
    sticky(String.raw`(?:(${COUNT})\s+)?weeks?(?:\s+on\s+(${WD_LIST}))?`),
    (m) =>
      withInterval(
        "WEEKLY",
        intervalOf(m[1]),
        m[2] === undefined ? "" : `;BYDAY=${weekdaysIn(m[2]).join(",")}`,
      ),
  ],
  // every (N) month(s) on the last friday / 2nd tuesday
  [
    sticky(String.raw`(?:(${COUNT})\s+)?months?\s+on\s+(?:the\s+)?(${ORD})\s+(${WD})`),
    (m) => {
      const n = ordinalValue(m[2] ?? "")
      const day = weekdaysIn(m[3] ?? "")[0]
      return n === undefined || n > 5 || day === undefined
        ? undefined
        : withInterval("MONTHLY", intervalOf(m[1]), `;BYDAY=${n}${day}`)
    },
  ],
  // every (N) month(s) [on the 1st / 15th and last day]
  [
    sticky(String.raw`(?:(${COUNT})\s+)?months?(?:\s+on\s+(${MONTHDAY_LIST}))?`),
    (m) => {
      if (m[2] === undefined) return withInterval("MONTHLY", intervalOf(m[1]))
      const days = monthDaysIn(m[2])
      return days === undefined
        ? undefined
        : withInterval("MONTHLY", intervalOf(m[1]), `;BYMONTHDAY=${days.join(",")}`)
    },
  ],
  // every (N) year(s) [on dec 25]
  [
    sticky(String.raw`(?:(${COUNT})\s+)?years?(?:\s+on\s+(${MONTH})\.?\s+(${ORD_NUM}))?`),
    (m) => {
      if (m[2] === undefined) return withInterval("YEARLY", intervalOf(m[1]))
      const month = MONTHS.indexOf((m[2] ?? "").slice(0, 3).toLowerCase()) + 1
      const day = Number.parseInt(m[3] ?? "", 10)
      return withInterval("YEARLY", intervalOf(m[1]), `;BYMONTH=${month};BYMONTHDAY=${day}`)
    },
  ],
  // every (N) day(s)
  [sticky(String.raw`(?:(${COUNT})\s+)?days?`), (m) => withInterval("DAILY", intervalOf(m[1]))],
  // every monday and thursday
  [sticky(WD_LIST), (m) => `FREQ=WEEKLY;BYDAY=${weekdaysIn(m[0]).join(",")}`],
  // every dec 25
  [
    sticky(String.raw`(${MONTH})\.?\s+(${ORD_NUM})`),
    (m) => {
      const month = MONTHS.indexOf((m[1] ?? "").slice(0, 3).toLowerCase()) + 1
      return `FREQ=YEARLY;BYMONTH=${month};BYMONTHDAY=${Number.parseInt(m[2] ?? "", 10)}`
    },
  ],
  // every 1st / every 15th of the month
  [
    sticky(String.raw`(?:the\s+)?(\d{1,2}(?:st|nd|rd|th))(?:\s+day)?(?:\s+of\s+(?:the|each|every)\s+month)?`),
    (m) => {
      const day = ordinalValue(m[1] ?? "")
      return day === undefined ? undefined : `FREQ=MONTHLY;BYMONTHDAY=${day}`
    },
  ],
]

const findRecurrence = (masked: string): RecurrenceMatch | null => {
  for (const m of masked.matchAll(/(^|[^\p{L}\p{N}_])every(!?)\s+/giu)) {
    const start = (m.index ?? 0) + (m[1] ?? "").length
    const bodyStart = (m.index ?? 0) + m[0].length
    for (const [pattern, build] of ALTERNATIVES) {
      pattern.lastIndex = bodyStart
      const hit = pattern.exec(masked)
      if (hit === null) continue
      const rule = build(hit)
      if (rule === undefined || Result.isFailure(validateRule(rule))) continue
      return {
        start,
        end: bodyStart + hit[0].length,
        rule,
        repeatFrom: m[2] === "!" ? "completion" : "dueDate",
      }
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------------------------------
// dates
// ---------------------------------------------------------------------------------------------------------------------

const CASUAL_TIMES: Record<string, LocalTime> = {
  "casualReference/morning": { hour: 9, minute: 0, second: 0, millisecond: 0 },
  "casualReference/afternoon": { hour: 15, minute: 0, second: 0, millisecond: 0 },
  "casualReference/evening": { hour: 19, minute: 0, second: 0, millisecond: 0 },
  "casualReference/tonight": { hour: 20, minute: 0, second: 0, millisecond: 0 },
  "casualReference/noon": { hour: 12, minute: 0, second: 0, millisecond: 0 },
  "casualReference/midnight": { hour: 0, minute: 0, second: 0, millisecond: 0 },
}

const RELATIVE_INTRO = /^(?:in|within|after|next|this|last|\+)\b/i
const RELATIVE_OUTRO = /\b(?:from now|from today|from tomorrow|later|ago)$/i
/** Lower-case words chrono reads as dates that are far more often plain words in a title ("Read the sun book"). */
const BARE_WORDS = new Set([
  "sun",
  "sat",
  "wed",
  "mon",
  "tue",
  "thu",
  "fri",
  "second",
  "a second",
  "may",
  "march",
  "mar",
  "morning",
  "afternoon",
  "evening",
  "night",
])
const CONNECTOR = /(?:^|\s)(?:on|at|by|due|starting|from|before)\s+$/i

interface DateMatch {
  readonly start: number
  readonly end: number
  readonly date: LocalDate
  /** Certain day (or weekday) given: the rule of a recurrence starts there. */
  readonly hasDay: boolean
  readonly time: LocalTime | null
  /** An exact instant (relative times, explicit offsets): used as is. */
  readonly exact: number | null
}

const findDate = (masked: string, now: number, timezone: string): DateMatch | null => {
  let results: chrono.ParsedResult[]
  try {
    results = chrono.casual.parse(
      masked,
      { instant: new Date(now), timezone: offsetMinutes(now, timezone) },
      { forwardDate: true },
    )
  } catch {
    return null
  }
  for (const r of results) {
    const tags = r.tags()
    const text = r.text.trim()
    if (tags.has("casualReference/now")) continue
    if (tags.has("result/relativeDate") && !RELATIVE_INTRO.test(text) && !RELATIVE_OUTRO.test(text)) continue
    const c = r.start
    const year = c.get("year")
    const month = c.get("month")
    const day = c.get("day")
    if (year === null || month === null || day === null) continue
    const date = { year, month, day }
    let exact: number | null = null
    const offset = c.get("timezoneOffset")
    if (c.isCertain("timezoneOffset") && offset !== null) {
      const wall = toFloatingMillis({
        ...date,
        hour: c.get("hour") ?? 0,
        minute: c.get("minute") ?? 0,
        second: c.get("second") ?? 0,
        millisecond: c.get("millisecond") ?? 0,
      })
      exact = wall - offset * 60_000
    }
    if (BARE_WORDS.has(text)) continue
    let time: LocalTime | null = null
    let adjusted = false
    if (c.isCertain("hour")) {
      let hour = c.get("hour") ?? 0
      // "at 5" means 17:00 for a to-do: a bare hour from 1 to 7 without am/pm is taken as pm
      if (!c.isCertain("meridiem") && hour >= 1 && hour <= 7 && !/(^|\D)0\d:/.test(text) && exact === null) {
        hour += 12
        adjusted = true
      }
      time = { hour, minute: c.get("minute") ?? 0, second: c.get("second") ?? 0, millisecond: 0 }
    } else {
      for (const [tag, t] of Object.entries(CASUAL_TIMES)) {
        if (tags.has(tag)) {
          time = t
          adjusted = true
        }
      }
    }
    const dayGiven =
      c.isCertain("weekday") ||
      c.isCertain("month") ||
      tags.has("casualReference/today") ||
      tags.has("casualReference/tomorrow") ||
      tags.has("casualReference/yesterday")
    let resolved: LocalDate = date
    if (adjusted && time !== null && !dayGiven) {
      // we moved the time chrono assumed: pick the first day on which it is still ahead
      const nowLocal = toLocal(now, timezone)
      const today = { year: nowLocal.year, month: nowLocal.month, day: nowLocal.day }
      resolved =
        toFloatingMillis({ ...today, ...time }) > toFloatingMillis(nowLocal) ? today : addDays(today, 1)
    }
    let start = r.index
    const before = CONNECTOR.exec(masked.slice(Math.max(0, start - 12), start))
    if (before !== null) start -= before[0].trimStart().length
    return {
      start,
      end: r.index + r.text.length,
      date: resolved,
      hasDay: c.isCertain("day") || c.isCertain("weekday"),
      time,
      exact,
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------------------------------
// the parser
// ---------------------------------------------------------------------------------------------------------------------

const mask = (text: string, spans: ReadonlyArray<Span>): string => {
  let out = text
  for (const s of spans) out = out.slice(0, s.start) + " ".repeat(s.end - s.start) + out.slice(s.end)
  return out
}

const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  let out = ""
  for (const ch of text) {
    if (out.length + ch.length > max) break
    out += ch
  }
  return out.trimEnd()
}

const collapse = (text: string): string => text.replace(/\s+/gu, " ").trim()

const cleanTitle = (text: string): string =>
  collapse(text)
    .replace(/^[\s,;:\-–—|/]+/u, "")
    .replace(/[\s,;:\-–—|/]+$/u, "")
    .replace(/\s+([,;:.!?])(?=\s|$)/gu, "$1")

const timeAt = (hour: number, minute: number): LocalTime => ({ hour, minute, second: 0, millisecond: 0 })

/**
 * Parses one line of quick-add text. Pure: `now` and `timezone` are parameters. Never throws.
 * The `dueDate` is an ISO instant in UTC or null; `recurrence`, when set, is a rule `parseRecurrence` accepts.
 */
export const parseQuickAdd = (text: string, options: QuickAddOptions): QuickAddParse => {
  const original = typeof text === "string" ? text : ""
  try {
    return parse(original, options)
  } catch {
    return {
      title: fallbackTitle(original),
      dueDate: null,
      recurrence: null,
      repeatFrom: "dueDate",
      priority: null,
      tags: [],
      recognized: [],
    }
  }
}

const fallbackTitle = (original: string): string => {
  const collapsed = truncate(collapse(original), MAX_TITLE_LENGTH)
  if (collapsed !== "") return collapsed
  return original === "" ? "Untitled" : truncate(original, MAX_TITLE_LENGTH)
}

const parse = (original: string, options: QuickAddOptions): QuickAddParse => {
  const timezone = isValidTimeZone(options.timezone) ? options.timezone : "UTC"
  const now = toEpochMillis(options.now)
  const defaultTime = timeAt(options.defaultTime?.hour ?? 9, options.defaultTime?.minute ?? 0)
  const scanned = original.slice(0, MAX_SCANNED)
  const spans: Span[] = []

  // tags
  const tags: string[] = []
  for (const m of scanned.matchAll(TAG)) {
    const raw = (m[2] ?? "").replace(/[-./:]+$/u, "")
    const tag = raw.toLowerCase()
    if (tag === "" || tag.length > MAX_TAG_LENGTH) continue
    if (!tags.includes(tag)) {
      if (tags.length >= MAX_TAGS) continue
      tags.push(tag)
    }
    const start = (m.index ?? 0) + (m[1] ?? "").length
    spans.push({ start, end: start + 1 + raw.length, kind: "tag" })
  }

  // priority
  let priority: Priority | null = null
  for (const m of mask(scanned, spans).matchAll(PRIORITY)) {
    const word = (m[2] ?? "").toLowerCase()
    const value = PRIORITY_WORDS[word]
    if (value === undefined) continue
    priority = value
    const start = (m.index ?? 0) + (m[1] ?? "").length
    spans.push({ start, end: start + word.length, kind: "priority" })
  }

  // recurrence
  const recurrence = findRecurrence(mask(scanned, spans))
  if (recurrence !== null) spans.push({ start: recurrence.start, end: recurrence.end, kind: "recurrence" })

  // date
  const date = findDate(mask(scanned, spans), now, timezone)
  if (date !== null) spans.push({ start: date.start, end: date.end, kind: "date" })

  // the due date
  const nowLocal = toLocal(now, timezone)
  const today: LocalDate = { year: nowLocal.year, month: nowLocal.month, day: nowLocal.day }
  let dueDate: string | null = null
  if (recurrence !== null) {
    const time = date?.time ?? defaultTime
    const dayGiven = date?.hasDay === true
    let startDate = date !== null && dayGiven ? date.date : today
    if (!dayGiven) {
      const passed = toFloatingMillis({ ...today, ...time }) <= toFloatingMillis(nowLocal)
      if (passed) startDate = addDays(today, 1)
    }
    dueDate = firstOccurrence({
      rule: recurrence.rule,
      start: { ...startDate, ...time },
      timezone,
      notBefore: now,
    })
  } else if (date !== null) {
    if (date.exact !== null) {
      dueDate = DateTime.formatIso(DateTime.makeUnsafe(date.exact))
    } else {
      let time = date.time ?? defaultTime
      const isToday = toEpochDay(date.date) === toEpochDay(today)
      if (
        date.time === null &&
        isToday &&
        toFloatingMillis({ ...today, ...time }) <= toFloatingMillis(nowLocal)
      ) {
        time = timeAt(23, 59)
      }
      dueDate = DateTime.formatIso(fromLocal({ ...date.date, ...time }, timezone))
    }
  }

  // title and what was recognised, in text order
  const ordered = [...spans].sort((a, b) => a.start - b.start)
  const title = cleanTitle(mask(original, ordered))
  return {
    title: title === "" ? fallbackTitle(original) : truncate(title, MAX_TITLE_LENGTH),
    dueDate,
    recurrence: recurrence?.rule ?? null,
    repeatFrom: recurrence?.repeatFrom ?? "dueDate",
    priority,
    tags,
    recognized: ordered.map((s) => ({ kind: s.kind, text: original.slice(s.start, s.end) })),
  }
}
