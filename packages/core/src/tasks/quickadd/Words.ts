/**
 * The English words quick add knows, as regular-expression sources and lookups. Every pattern is a plain
 * alternation (no nested repetition), so matching costs time proportional to the text, whatever the text.
 */
import type { Weekday } from "@todo/calendar"
import { WEEKDAY_CODES, type WeekdayCode } from "@todo/calendar/recurrence"

/** Full weekday names (and plurals, for "every mondays"). */
const WEEKDAY_FULL = [
  "sundays?",
  "mondays?",
  "tuesdays?",
  "wednesdays?",
  "thursdays?",
  "fridays?",
  "saturdays?",
] as const
/** Abbreviations, which are also ordinary words ("sun", "sat", "wed"): only taken where a date is plainly meant. */
const WEEKDAY_SHORT = ["sun", "mon", "tues?", "weds?", "thu(?:rs?)?", "fri", "sat"] as const

export const WEEKDAY = `(?:${[...WEEKDAY_FULL, ...WEEKDAY_SHORT].join("|")})`
export const WEEKDAY_LONG = `(?:${WEEKDAY_FULL.join("|")})`

/** Sunday = 0 … Saturday = 6 for a weekday word, full or abbreviated. */
export const weekdayOf = (word: string): Weekday | undefined => {
  const w = word.toLowerCase().slice(0, 3)
  const i = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].indexOf(w)
  return i < 0 ? undefined : (i as Weekday)
}

export const isShortWeekday = (word: string): boolean => !new RegExp(`^${WEEKDAY_LONG}$`, "i").test(word)

export const codeOf = (weekday: Weekday): WeekdayCode => WEEKDAY_CODES[weekday]

/** The weekdays a list such as "mon, wed & fri" names, in their order, without repeats. */
export const weekdaysIn = (text: string): Weekday[] => {
  const out: Weekday[] = []
  for (const m of text.matchAll(new RegExp(WEEKDAY, "gi"))) {
    const w = weekdayOf(m[0])
    if (w !== undefined && !out.includes(w)) out.push(w)
  }
  return out
}

export const MONTH =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?"

/** 1–12 for a month word. */
export const monthOf = (word: string): number =>
  ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].indexOf(
    word.toLowerCase().slice(0, 3),
  ) + 1

/** A day of the month, 1–31, written as a number with an optional ordinal suffix ("3", "03", "3rd", "25nd"). */
export const DAY_NUMBER = "(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?"

export const ORDINAL_WORDS: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  last: -1,
}
/** An ordinal as a number with a suffix or a word: "2nd", "third", "last". */
export const ORDINAL = "(?:\\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|last)"

export const ordinalOf = (token: string): number | undefined => {
  const lower = token.toLowerCase()
  if (lower in ORDINAL_WORDS) return ORDINAL_WORDS[lower]
  const n = Number.parseInt(lower, 10)
  return Number.isFinite(n) && n >= 1 && n <= 31 ? n : undefined
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
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
  eleven: 11,
  twelve: 12,
}
/** A count: digits or a number word ("every other", "in a week"). */
export const COUNT = `(?:\\d{1,3}|${Object.keys(NUMBER_WORDS).join("|")})`

export const countOf = (token: string | undefined): number => {
  if (token === undefined) return 1
  const lower = token.toLowerCase()
  return NUMBER_WORDS[lower] ?? Number.parseInt(lower, 10)
}

/** Where a phrase may end: the end, a space, or punctuation that is not the start of a number ("v1.1", "3.5"). */
export const END = String.raw`(?=$|[\s\u2063,;:!?)\]}"']|\.(?!\d))`

/**
 * Words in front of a date that belong to it: they leave the title with it ("due friday", "@ 3pm"), and after them
 * an ambiguous word is plainly a date ("on sun"). "the" also leaves with an ordinal day ("the 27th").
 */
export const CONNECTORS: ReadonlySet<string> = new Set([
  "on",
  "at",
  "by",
  "due",
  "until",
  "before",
  "from",
  "starting",
  "beginning",
  "@",
])

/** Connectors that say where a recurrence starts ("every monday starting dec 8"). */
export const STARTS = new Set(["starting", "from", "beginning"])
