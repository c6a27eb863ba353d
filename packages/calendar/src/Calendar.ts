/**
 * Pure proleptic-Gregorian calendar arithmetic on plain dates, with no time zone and no clock.
 *
 * Dates are counted as "epoch days": whole days since 1970-01-01 (day 0), so adding days is integer addition and
 * comparing dates is comparing numbers. The algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days`.
 */

/** A calendar date. `month` is 1–12, `day` is 1–31. */
export interface LocalDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** A wall-clock time of day. */
export interface LocalTime {
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly millisecond: number
}

/** A wall-clock date and time with no zone attached (RFC 5545 calls this "floating" time). */
export interface LocalDateTime extends LocalDate, LocalTime {}

/** Day of the week, JavaScript / Effect `weekDay` convention: 0 = Sunday, 1 = Monday … 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6

export const MILLIS_PER_DAY = 86_400_000

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

export const daysInMonth = (year: number, month: number): number =>
  month === 2 && isLeapYear(year) ? 29 : (monthLengths[month - 1] ?? Number.NaN)

export const daysInYear = (year: number): number => (isLeapYear(year) ? 366 : 365)

/** Whether the parts name a real calendar date. */
export const isValidDate = (date: LocalDate): boolean =>
  Number.isInteger(date.year) &&
  Number.isInteger(date.month) &&
  Number.isInteger(date.day) &&
  date.month >= 1 &&
  date.month <= 12 &&
  date.day >= 1 &&
  date.day <= daysInMonth(date.year, date.month)

export const isValidTime = (time: LocalTime): boolean =>
  Number.isInteger(time.hour) &&
  Number.isInteger(time.minute) &&
  Number.isInteger(time.second) &&
  Number.isInteger(time.millisecond) &&
  time.hour >= 0 &&
  time.hour <= 23 &&
  time.minute >= 0 &&
  time.minute <= 59 &&
  time.second >= 0 &&
  time.second <= 59 &&
  time.millisecond >= 0 &&
  time.millisecond <= 999

/** Days since 1970-01-01 of a calendar date (negative before it). */
export const toEpochDay = (date: LocalDate): number => {
  const y = date.month <= 2 ? date.year - 1 : date.year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (date.month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + date.day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

/** The calendar date of an epoch day. */
export const fromEpochDay = (epochDay: number): LocalDate => {
  const z = epochDay + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** Day of the week of an epoch day (1970-01-01 was a Thursday). */
export const weekdayOfEpochDay = (epochDay: number): Weekday => (((epochDay % 7) + 11) % 7) as Weekday

export const weekdayOf = (date: LocalDate): Weekday => weekdayOfEpochDay(toEpochDay(date))

export const addDays = (date: LocalDate, days: number): LocalDate => fromEpochDay(toEpochDay(date) + days)

/**
 * Adds calendar months; a day that does not exist in the target month is clamped to its last day
 * (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
 */
export const addMonths = (date: LocalDate, months: number): LocalDate => {
  const index = date.year * 12 + (date.month - 1) + months
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) }
}

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export const daysBetween = (from: LocalDate, to: LocalDate): number => toEpochDay(to) - toEpochDay(from)

export const compareDates = (a: LocalDate, b: LocalDate): number => Math.sign(toEpochDay(a) - toEpochDay(b))

export const timeToMillis = (time: LocalTime): number =>
  ((time.hour * 60 + time.minute) * 60 + time.second) * 1000 + time.millisecond

/**
 * A floating date-time as a number: milliseconds since 1970-01-01T00:00 of the same wall clock. Only for ordering
 * and arithmetic on wall-clock values; it is not an instant.
 */
export const toFloatingMillis = (local: LocalDate & Partial<LocalTime>): number =>
  toEpochDay(local) * MILLIS_PER_DAY +
  timeToMillis({
    hour: local.hour ?? 0,
    minute: local.minute ?? 0,
    second: local.second ?? 0,
    millisecond: local.millisecond ?? 0,
  })

export const fromFloatingMillis = (floating: number): LocalDateTime => {
  const epochDay = Math.floor(floating / MILLIS_PER_DAY)
  let rest = floating - epochDay * MILLIS_PER_DAY
  const millisecond = rest % 1000
  rest = (rest - millisecond) / 1000
  const second = rest % 60
  rest = (rest - second) / 60
  const minute = rest % 60
  const hour = (rest - minute) / 60
  return { ...fromEpochDay(epochDay), hour, minute, second, millisecond }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/** `2025-03-30` */
export const formatDate = (date: LocalDate): string =>
  `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`

/** `2025-03-30T02:30:00` (milliseconds only when not zero) */
export const formatDateTime = (local: LocalDateTime): string =>
  `${formatDate(local)}T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${
    local.millisecond === 0 ? "" : `.${pad(local.millisecond, 3)}`
  }`

export const WEEKDAY_SHORT_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const
export const MONTH_SHORT_NAMES = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const
