/**
 * Instants ↔ wall-clock time in an IANA time zone, on top of Effect's `DateTime` (zoned date-times over Intl).
 *
 * Rules, everywhere in this module:
 * - An instant is absolute (`DateTime.Utc`); a wall-clock value (`LocalDateTime`) has no zone until one is given.
 * - A wall-clock time that does not exist because the clocks jump forward (a DST gap) is **shifted forward by the
 *   length of the gap**: 02:30 on the spring-forward night in Berlin becomes 03:30 CEST.
 * - A wall-clock time that happens twice because the clocks go back (an overlap) resolves to the **earlier
 *   offset**, i.e. the first time it happens: 02:30 on the fall-back night in Berlin is 02:30 CEST (00:30Z).
 *   This is Effect's (and Temporal's) `"compatible"` disambiguation.
 * - Calendar arithmetic (`addLocalDays`, `addLocalMonths`) moves the wall clock, not the instant, and then applies
 *   the two rules above: a task at 09:00 stays at 09:00 across a DST change.
 *
 * No function here reads the clock. Unknown zones throw a `RangeError` (validate user input with
 * `isValidTimeZone` first).
 */
import { DateTime, Option } from "effect"
import {
  addMonths,
  fromEpochDay,
  isValidDate,
  isValidTime,
  type LocalDate,
  type LocalDateTime,
  type LocalTime,
  MILLIS_PER_DAY,
  toEpochDay,
  toFloatingMillis,
  type Weekday,
  weekdayOfEpochDay,
} from "./Calendar.ts"

export type { LocalDate, LocalDateTime, LocalTime, Weekday } from "./Calendar.ts"

/** Anything that names an instant: an Effect `DateTime`, a `Date`, epoch milliseconds, or an ISO-8601 string with an offset. */
export type InstantInput = DateTime.DateTime | Date | number | string

/** A wall-clock value to place in a zone; the time parts default to 0. */
export type LocalInput = LocalDate & Partial<LocalTime>

const ISO_WITH_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i

/**
 * Reads an instant. Strings must be ISO-8601 with an explicit offset (`2025-03-30T07:00:00Z`,
 * `…+02:00`); a string without one is ambiguous and rejected. Throws `RangeError` on anything invalid.
 */
export const toInstant = (input: InstantInput): DateTime.Utc => {
  if (DateTime.isDateTime(input)) return DateTime.toUtc(input)
  if (typeof input === "string") {
    const trimmed = input.trim()
    if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed) || !ISO_WITH_OFFSET.test(trimmed)) {
      throw new RangeError(`Expected an ISO-8601 instant with an offset, got ${JSON.stringify(input)}`)
    }
    const millis = Date.parse(trimmed)
    if (Number.isNaN(millis)) throw new RangeError(`Invalid instant ${JSON.stringify(input)}`)
    return DateTime.makeUnsafe(millis)
  }
  const millis = input instanceof Date ? input.getTime() : input
  if (!Number.isFinite(millis)) throw new RangeError(`Invalid instant ${String(input)}`)
  return DateTime.makeUnsafe(millis)
}

export const toEpochMillis = (input: InstantInput): number => DateTime.toEpochMillis(toInstant(input))

/** `2025-03-30T07:00:00.000Z` */
export const toIsoString = (input: InstantInput): string => DateTime.formatIso(toInstant(input))

/** Whether `timezone` is an IANA zone this runtime knows (`Europe/Berlin`, `UTC`, …). */
export const isValidTimeZone = (timezone: string): boolean =>
  timezone.trim() !== "" && Option.isSome(DateTime.zoneMakeNamed(timezone))

/** The Effect zone for an IANA name (cached by Effect). Throws `RangeError` for an unknown zone. */
export const timeZone = (timezone: string): DateTime.TimeZone.Named => {
  const zone = timezone.trim() === "" ? Option.none() : DateTime.zoneMakeNamed(timezone)
  if (Option.isNone(zone)) throw new RangeError(`Unknown time zone ${JSON.stringify(timezone)}`)
  return zone.value
}

const zoned = (instant: InstantInput, timezone: string): DateTime.Zoned =>
  DateTime.setZone(toInstant(instant), timeZone(timezone))

/** The wall-clock date and time of an instant in a zone. */
export const toLocal = (instant: InstantInput, timezone: string): LocalDateTime => {
  const parts = DateTime.toParts(zoned(instant, timezone))
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    millisecond: parts.millisecond,
  }
}

/** The local calendar date of an instant in a zone. */
export const localDateOf = (instant: InstantInput, timezone: string): LocalDate => {
  const { year, month, day } = toLocal(instant, timezone)
  return { year, month, day }
}

/** The local time of day of an instant in a zone. */
export const localTimeOf = (instant: InstantInput, timezone: string): LocalTime => {
  const { hour, minute, second, millisecond } = toLocal(instant, timezone)
  return { hour, minute, second, millisecond }
}

/** The zone's UTC offset at an instant, in minutes (Berlin in summer: 120; New York in winter: -300). */
export const offsetMinutes = (instant: InstantInput, timezone: string): number =>
  Math.round(DateTime.zonedOffset(zoned(instant, timezone)) / 60_000)

/**
 * The instant of a wall-clock value in a zone. In a DST gap the time is shifted forward by the gap (02:30 → 03:30);
 * in an overlap the earlier offset wins. Throws `RangeError` for parts that are not a real date or time.
 */
export const fromLocal = (local: LocalInput, timezone: string): DateTime.Utc => {
  const time: LocalTime = {
    hour: local.hour ?? 0,
    minute: local.minute ?? 0,
    second: local.second ?? 0,
    millisecond: local.millisecond ?? 0,
  }
  if (!isValidDate(local) || !isValidTime(time)) {
    throw new RangeError(`Invalid local date-time ${JSON.stringify(local)}`)
  }
  const floating = toFloatingMillis({ ...local, ...time })
  return DateTime.toUtc(
    DateTime.makeZonedUnsafe(floating, {
      timeZone: timeZone(timezone),
      adjustForTimeZone: true,
      disambiguation: "compatible",
    }),
  )
}

/** Whether a wall-clock value exists in the zone (false inside a DST gap). */
export const localTimeExists = (local: LocalInput, timezone: string): boolean => {
  const back = toLocal(fromLocal(local, timezone), timezone)
  return (
    back.year === local.year &&
    back.month === local.month &&
    back.day === local.day &&
    back.hour === (local.hour ?? 0) &&
    back.minute === (local.minute ?? 0) &&
    back.second === (local.second ?? 0) &&
    back.millisecond === (local.millisecond ?? 0)
  )
}

/** Day of the week of an instant in a zone (0 = Sunday … 6 = Saturday). */
export const dayOfWeek = (instant: InstantInput, timezone: string): Weekday =>
  weekdayOfEpochDay(toEpochDay(localDateOf(instant, timezone)))

/**
 * The first instant of the local calendar day containing `instant`. Normally local midnight; where midnight falls in
 * a DST gap (e.g. America/Santiago, Asia/Beirut) it is the first existing wall-clock time of that day.
 */
export const startOfLocalDay = (instant: InstantInput, timezone: string): DateTime.Utc =>
  fromLocal(localDateOf(instant, timezone), timezone)

/** The first instant of a given local calendar date. */
export const startOfLocalDate = (date: LocalDate, timezone: string): DateTime.Utc => fromLocal(date, timezone)

/** Moves the wall-clock date by `days` and keeps the wall-clock time (gap → forward, overlap → earlier). */
export const addLocalDays = (instant: InstantInput, days: number, timezone: string): DateTime.Utc => {
  const local = toLocal(instant, timezone)
  return fromLocal({ ...local, ...fromEpochDay(toEpochDay(local) + days) }, timezone)
}

/**
 * Moves the wall-clock date by `months` and keeps the wall-clock time. A day that does not exist in the target month
 * is clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
 */
export const addLocalMonths = (instant: InstantInput, months: number, timezone: string): DateTime.Utc => {
  const local = toLocal(instant, timezone)
  return fromLocal({ ...local, ...addMonths(local, months) }, timezone)
}

/** Whole local calendar days from the day of `from` to the day of `to` (DST-safe: counts dates, not 24 h blocks). */
export const localDaysBetween = (from: InstantInput, to: InstantInput, timezone: string): number =>
  toEpochDay(localDateOf(to, timezone)) - toEpochDay(localDateOf(from, timezone))

/** Length of the local day containing `instant`, in hours (23 or 25 on DST change days, 24 otherwise, …). */
export const localDayLengthHours = (instant: InstantInput, timezone: string): number => {
  const start = startOfLocalDay(instant, timezone)
  const next = fromLocal(fromEpochDay(toEpochDay(localDateOf(instant, timezone)) + 1), timezone)
  return (DateTime.toEpochMillis(next) - DateTime.toEpochMillis(start)) / 3_600_000
}

export { MILLIS_PER_DAY }
