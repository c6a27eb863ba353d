/**
 * Quick add: one line of text → title, due date, recurrence, priority and tags (`QuickAddParse`).
 *
 * What is understood, and the choices made:
 * - **Tags**: `#word` (letters, digits, `_ - . / :`; trailing `. / : -` dropped), lower-cased, deduplicated, at most
 *   20 (later ones stay in the title), at most 50 characters each (longer ones stay in the title).
 * - **Priority**: `!low` `!medium` `!high` `!urgent`, `!1`…`!4` and Todoist's `p1`…`p4` (1 = urgent, 4 = low), as
 *   standalone words. Several: the last one wins; all are removed from the title.
 * - **Estimate**: `~30m`, `~2h`, `~1h30m` (also `~90min`), as a standalone word, 1 minute to 24 hours; the last one
 *   wins and all leave the title; out of range ("~0m", "~25h") it stays in the title.
 * - **Dates, times and recurrences**: the phrases of `quickadd/Phrases.ts`. Every fragment of the text combines: a
 *   day from one place and a time from another ("at 10:00 in 5 days", "Fri @ 7pm"), a recurrence with its time and
 *   its start ("every other Tues 7am starting 1 Nov"). The first day, the first time and the first recurrence win;
 *   later ones stay in the title. A connector in front ("on", "at", "@", "by", "due", "until", "before", "starting",
 *   "from") leaves the title with its phrase.
 * - **No false dates**: a phrase that is also an ordinary word or number (a short weekday such as "sun", a date
 *   without a year such as "9/11", an ordinal such as "21st", a part of the day, an adverb such as "weekly") is taken
 *   only where a date is plainly meant: after a connector, right next to another date or time, or at the end of the
 *   text. "Read the 9/11 report", "Route 66", "jan 32", "Weekly report" and "Fix sunglasses" keep their titles.
 * - **Default times**: a day without a time is due at 09:00 local; "morning" 09:00, "afternoon" 15:00, "evening"
 *   19:00, "night" 22:00, "tonight" 20:00, "noon" 12:00, "midnight" 00:00. A day-only "today" whose 09:00 has
 *   passed is due at 23:59 today. A time without a day is today if still ahead, otherwise tomorrow. "at 5" or
 *   "5:30" without am/pm, from 1 to 7 o'clock, is the afternoon ("05:30" is not).
 * - **Recurrences** start on the day given ("starting dec 8", or any day in the text), otherwise today, or tomorrow
 *   when today's time has passed; the due date is the first occurrence from there that is still ahead.
 * - **Server-zone independent**: everything is computed on the user's local calendar (`now` and `timezone` are
 *   parameters, the process zone is never read).
 * - **Bounded work**: every phrase tried and every rule checked charges the request's `WorkBudget`; a text that
 *   would take more is refused with a sentence saying so.
 * - **Title**: the text with every recognised part removed, whitespace collapsed, stray separators trimmed, cut to
 *   200 characters. Never empty: it falls back to the original text (and to "Untitled" for an empty input).
 */
import {
  addDays,
  fromLocal,
  type InstantInput,
  isValidTimeZone,
  type LocalDate,
  type LocalDateTime,
  type LocalTime,
  toEpochDay,
  toEpochMillis,
  toFloatingMillis,
  toLocal,
} from "@todo/calendar"
import { ruleBudget, type WorkBudget, WorkBudgetExceeded } from "@todo/calendar/recurrence"
import type { Priority, QuickAddParse, RepeatFrom } from "@todo/contracts"
import { DateTime, Result } from "effect"
import { connectorBefore, type Context, type Meaning, PHRASES, type Phrase } from "./quickadd/Phrases.ts"
import { CONNECTORS, STARTS } from "./quickadd/Words.ts"
import { firstOccurrence, InvalidRecurrence } from "./Recurrence.ts"

export interface QuickAddOptions {
  /** The current instant: relative dates ("tomorrow", "in 2 hours") are computed from it. */
  readonly now: InstantInput
  /** The user's IANA zone. */
  readonly timezone: string
  /** Time of day for a date given without one (default 09:00). */
  readonly defaultTime?: { readonly hour: number; readonly minute: number } | undefined
  /** The request's allowance of calendar steps (default: a fresh one). */
  readonly budget?: WorkBudget | undefined
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

/** `~1h30m`: hours, minutes or both. */
const ESTIMATE = /(^|[\s(,;])(~(?:(\d{1,4})h)?(?:(\d{1,5})(?:min|m))?)(?=$|[\s.,;:!?)])/giu
export const MAX_ESTIMATE_MINUTES = 1440

// ---------------------------------------------------------------------------------------------------------------------
// date fragments
// ---------------------------------------------------------------------------------------------------------------------

interface Fragment {
  readonly start: number
  readonly end: number
  /** Where the fragment starts with the connector words in front of it that leave the title with it. */
  readonly from: number
  /** The connector right in front, if any. */
  readonly connector: string | null
  /** A connector in front makes it plainly a date ("on", "@", "due"…). */
  readonly clear: boolean
  readonly meaning: Meaning
  readonly ambiguous: boolean
}

const isLetterOrDigit = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}]/u.test(ch)
/** A phrase may start at a letter or digit that begins a word: not inside "github", "v1.1.1" or a URL. */
const isWordStart = (text: string, i: number): boolean =>
  isLetterOrDigit(text[i]) && (i === 0 || /[\s\u2063([{"',;@]/.test(text[i - 1] ?? ""))

/**
 * The connector words in front of `start` that belong to the phrase (up to two: "due on", "on the"): where they
 * start, the nearest one, and whether one of them makes an ambiguous phrase plainly a date.
 */
const leadingConnectors = (text: string, start: number, phrase: Phrase) => {
  let from = start
  let nearest: string | null = null
  let clear = false
  for (let k = 0; k < 2; k++) {
    const c = connectorBefore(text, from)
    if (c === null || (c.word === "the" && !(phrase.alsoClearAfter ?? []).includes("the"))) break
    nearest ??= c.word
    clear ||= CONNECTORS.has(c.word)
    from = c.start
  }
  return { from, connector: nearest, clear }
}

/** Every phrase in the text, left to right; at each word start the first phrase that reads as something wins. */
const findFragments = (text: string, ctx: Context): Fragment[] => {
  const out: Fragment[] = []
  for (let i = 0; i < text.length; i++) {
    if (!isWordStart(text, i)) continue
    for (const phrase of PHRASES) {
      ctx.budget.charge(1)
      phrase.pattern.lastIndex = i
      const m = phrase.pattern.exec(text)
      if (m === null) continue
      const lead = leadingConnectors(text, i, phrase)
      if (phrase.needs !== undefined && (lead.connector === null || !phrase.needs.includes(lead.connector)))
        continue
      const meaning = phrase.read(m, ctx)
      if (meaning === undefined) {
        if (!phrase.consumesInvalid) continue
        i += m[0].length - 1
        break
      }
      out.push({
        start: i,
        end: i + m[0].length,
        from: lead.from,
        connector: lead.connector,
        clear: lead.clear,
        meaning,
        ambiguous: phrase.ambiguous?.(m) ?? false,
      })
      i += m[0].length - 1
      break
    }
  }
  return out
}

const NOTHING_BUT_PUNCTUATION = /^[\s\u2063.,;:!?)\]}"'\-–—]*$/
const JOINED = /^[\s\u2063,]*$/

/**
 * Which fragments are taken: every unambiguous one, and an ambiguous one after a connector that makes it a date,
 * right next to a taken fragment, or followed by nothing but other taken fragments and punctuation.
 */
const acceptFragments = (text: string, fragments: ReadonlyArray<Fragment>): Fragment[] => {
  const taken = fragments.map((f) => !f.ambiguous || f.clear)
  // at the end of the text: walk back from the end while only taken or ambiguous fragments and punctuation follow
  let tail = text.length
  for (let k = fragments.length - 1; k >= 0; k--) {
    const f = fragments[k] as Fragment
    if (!NOTHING_BUT_PUNCTUATION.test(text.slice(f.end, tail))) break
    taken[k] = true
    tail = f.from
  }
  // next to a taken fragment (a few passes: "17th" next to "at 10:00", then a neighbour of "17th")
  for (let pass = 0; pass < 3; pass++) {
    let changed = false
    for (let k = 0; k < fragments.length; k++) {
      if (taken[k]) continue
      const f = fragments[k] as Fragment
      const prev = fragments[k - 1]
      const next = fragments[k + 1]
      if (
        (prev !== undefined && taken[k - 1] && JOINED.test(text.slice(prev.end, f.from))) ||
        (next !== undefined && taken[k + 1] && JOINED.test(text.slice(f.end, next.from)))
      ) {
        taken[k] = true
        changed = true
      }
    }
    if (!changed) break
  }
  return fragments.filter((_, k) => taken[k])
}

// ---------------------------------------------------------------------------------------------------------------------
// the parser
// ---------------------------------------------------------------------------------------------------------------------

const mask = (text: string, spans: ReadonlyArray<{ start: number; end: number }>, fill = " "): string => {
  let out = text
  for (const s of spans) out = out.slice(0, s.start) + fill.repeat(s.end - s.start) + out.slice(s.end)
  return out
}

/**
 * What tags and priorities are replaced with before dates are looked for: not a space, so that no phrase spans
 * them ("21st #tag jan" is not 21 January), but a separator around phrases and between date parts.
 */
const GAP = "\u2063"

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
    .replace(/^[\s,;:\-–—|/@]+/u, "")
    .replace(/[\s,;:\-–—|/@]+$/u, "")
    .replace(/\s+([,;:.!?])(?=\s|$)/gu, "$1")

const timeAt = (hour: number, minute: number): LocalTime => ({ hour, minute, second: 0, millisecond: 0 })

/** The message a text gets when understanding it would take more than the budget. */
const tooMuchWork = (limit: number) =>
  `Quick add cannot read this text within its work budget (more than ${limit} steps): shorten it or split it into several tasks`

/**
 * Parses one line of quick-add text. Pure: `now` and `timezone` are parameters, the process's zone is never read.
 * Succeeds with what was understood (an unreadable text becomes a plain title), or fails with a sentence when
 * reading it would take more than the request's work budget. The `dueDate` is an ISO instant in UTC or null;
 * `recurrence`, when set, is a rule `validateRule` accepts.
 */
export const parseQuickAdd = (
  text: string,
  options: QuickAddOptions,
): Result.Result<QuickAddParse, string> => {
  const original = typeof text === "string" ? text : ""
  const budget = options.budget ?? ruleBudget()
  try {
    return Result.succeed(parse(original, options, budget))
  } catch (e) {
    if (e instanceof WorkBudgetExceeded) return Result.fail(tooMuchWork(e.limit))
    if (e instanceof InvalidRecurrence && budget.spent > budget.limit)
      return Result.fail(tooMuchWork(budget.limit))
    return Result.succeed({
      title: fallbackTitle(original),
      dueDate: null,
      recurrence: null,
      repeatFrom: "dueDate",
      priority: null,
      tags: [],
      estimateMinutes: null,
      recognized: [],
    })
  }
}

const fallbackTitle = (original: string): string => {
  const collapsed = truncate(collapse(original), MAX_TITLE_LENGTH)
  if (collapsed !== "") return collapsed
  return original === "" ? "Untitled" : truncate(original, MAX_TITLE_LENGTH)
}

const parse = (original: string, options: QuickAddOptions, budget: WorkBudget): QuickAddParse => {
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

  // estimate
  let estimateMinutes: number | null = null
  for (const m of mask(scanned, spans).matchAll(ESTIMATE)) {
    if (m[3] === undefined && m[4] === undefined) continue
    const minutes = Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)
    if (minutes < 1 || minutes > MAX_ESTIMATE_MINUTES) continue
    estimateMinutes = minutes
    const start = (m.index ?? 0) + (m[1] ?? "").length
    spans.push({ start, end: start + (m[2] ?? "").length, kind: "estimate" })
  }

  // dates, times and recurrences
  const nowLocal: LocalDateTime = toLocal(now, timezone)
  const today: LocalDate = { year: nowLocal.year, month: nowLocal.month, day: nowLocal.day }
  const ctx: Context = { nowLocal, today, now, budget, checkedRules: new Map() }
  const masked = mask(scanned, spans, GAP)
  const taken = acceptFragments(masked, findFragments(masked, ctx))

  const firstOf = (...types: ReadonlyArray<Meaning["type"]>) =>
    taken.find((f) => types.includes(f.meaning.type))
  const recurrenceFragment = firstOf("recurrence")
  const recurrence = recurrenceFragment?.meaning.type === "recurrence" ? recurrenceFragment.meaning : null
  const startFragment =
    recurrence === null
      ? undefined
      : taken.find((f) => f.connector !== null && STARTS.has(f.connector) && isDay(f))
  const dayFragment = startFragment ?? firstOf("day", "dayTime")
  const timeFragment = firstOf("time") ?? (dayFragment?.meaning.type === "dayTime" ? dayFragment : undefined)
  const instantFragment = recurrence === null ? firstOf("instant") : undefined
  const used = [recurrenceFragment, dayFragment, timeFragment, instantFragment].filter(
    (f): f is Fragment => f !== undefined,
  )

  const day = dayFragment === undefined ? null : dayOf(dayFragment.meaning)
  const time = timeFragment === undefined ? null : timeOf(timeFragment.meaning)
  const offset = timeFragment?.meaning.type === "time" ? timeFragment.meaning.offsetMinutes : null
  const passed = (d: LocalDate, t: LocalTime) =>
    toFloatingMillis({ ...d, ...t }) <= toFloatingMillis(nowLocal)

  let dueDate: string | null = null
  if (recurrence !== null) {
    const t = time ?? recurrence.time ?? defaultTime
    const start = day ?? (passed(today, t) ? addDays(today, 1) : today)
    dueDate = firstOccurrence({
      rule: recurrence.rule,
      start: { ...start, ...t },
      timezone,
      notBefore: now,
      budget,
    })
  } else if (instantFragment?.meaning.type === "instant") {
    dueDate = DateTime.formatIso(DateTime.makeUnsafe(instantFragment.meaning.millis))
  } else if (time !== null && offset !== null) {
    // "9am EST": that wall-clock time at that offset, on the day given or the next one on which it is ahead
    const at = (d: LocalDate) => toFloatingMillis({ ...d, ...time }) - offset * 60_000
    const millis = day !== null ? at(day) : at(today) > now ? at(today) : at(addDays(today, 1))
    dueDate = DateTime.formatIso(DateTime.makeUnsafe(millis))
  } else if (day !== null || time !== null) {
    let d = day ?? today
    let t = time ?? defaultTime
    if (day === null && passed(today, t)) d = addDays(today, 1)
    if (time === null && toEpochDay(d) === toEpochDay(today) && passed(today, t)) t = timeAt(23, 59)
    dueDate = DateTime.formatIso(fromLocal({ ...d, ...t }, timezone))
  }

  // what was understood: date fragments next to each other read as one ("tomorrow 9am")
  const understood: Span[] = []
  for (const f of [...used].sort((a, b) => a.from - b.from)) {
    const kind: Kind = f.meaning.type === "recurrence" ? "recurrence" : "date"
    const last = understood.at(-1)
    if (
      last !== undefined &&
      last.kind === "date" &&
      kind === "date" &&
      JOINED.test(masked.slice(last.end, f.from))
    )
      understood[understood.length - 1] = { ...last, end: Math.max(last.end, f.end) }
    else if (!understood.some((s) => s.start === f.from)) understood.push({ start: f.from, end: f.end, kind })
  }
  const ordered = [...spans, ...understood].sort((a, b) => a.start - b.start)
  const title = cleanTitle(mask(original, ordered))
  const repeatFrom: RepeatFrom = recurrence?.repeatFrom ?? "dueDate"
  return {
    title: title === "" ? fallbackTitle(original) : truncate(title, MAX_TITLE_LENGTH),
    dueDate,
    recurrence: recurrence?.rule ?? null,
    repeatFrom,
    priority,
    tags,
    estimateMinutes,
    recognized: ordered.map((s) => ({ kind: s.kind, text: original.slice(s.start, s.end) })),
  }
}

const isDay = (f: Fragment) => f.meaning.type === "day" || f.meaning.type === "dayTime"

const dayOf = (m: Meaning): LocalDate | null => (m.type === "day" || m.type === "dayTime" ? m.date : null)

const timeOf = (m: Meaning): LocalTime | null => (m.type === "time" || m.type === "dayTime" ? m.time : null)
