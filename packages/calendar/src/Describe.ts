/**
 * The one English describer of recurrence rules, used by the API's quick-add preview and by the web app's editor
 * and list: "every day", "every weekday", "every 2 weeks on Mon and Thu", "every month on the last Fri".
 */
import { Result } from "effect"
import { fromEpochDay, MONTH_SHORT_NAMES, WEEKDAY_SHORT_NAMES } from "./Calendar.ts"
import { type ByDay, parseRule } from "./RRule.ts"

/** 1st, 2nd, 3rd, 4th, 11th, 21st … */
export const ordinal = (n: number): string => {
  const mod100 = n % 100
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`
  switch (n % 10) {
    case 1:
      return `${n}st`
    case 2:
      return `${n}nd`
    case 3:
      return `${n}rd`
    default:
      return `${n}th`
  }
}

/** "Mon", "Mon and Thu", "Mon, Wed and Fri" */
export const joinAnd = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`

const position = (n: number): string => (n === -1 ? "last" : n < 0 ? `${ordinal(-n)} to last` : ordinal(n))

const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const
const sortDays = (days: ReadonlyArray<ByDay>): ByDay[] =>
  [...days].sort(
    (a, b) =>
      WEEK_ORDER.indexOf(a.weekday) - WEEK_ORDER.indexOf(b.weekday) || (a.ordinal ?? 0) - (b.ordinal ?? 0),
  )

const isWeekdays = (days: ReadonlyArray<ByDay>): boolean =>
  days.length === 5 && days.every((d) => d.ordinal === null && d.weekday >= 1 && d.weekday <= 5)

const dayText = (d: ByDay): string =>
  d.ordinal === null
    ? WEEKDAY_SHORT_NAMES[d.weekday]
    : `the ${position(d.ordinal)} ${WEEKDAY_SHORT_NAMES[d.weekday]}`

const monthDayText = (n: number): string =>
  n === -1 ? "the last day" : n < 0 ? `the ${position(n)} day` : `the ${ordinal(n)}`

const pad2 = (n: number): string => String(n).padStart(2, "0")

const unit = (n: number, singular: string): string =>
  n === 1 ? `every ${singular}` : `every ${n} ${singular}s`

/**
 * Short English for a rule, as the quick-add answer shows it: "every day", "every weekday", "every Mon and Thu",
 * "every 2 weeks on Mon and Thu", "every month on the 31st", "every month on the last Fri", "every year on Feb 29",
 * with ", at 09:30", ", 5 times" or ", until 31 Dec 2025" when the rule says so. An invalid rule is returned as is.
 */
export const describeRule = (text: string | null | undefined): string => {
  if (!text) return ""
  const parsed = parseRule(text)
  if (Result.isFailure(parsed)) return text.trim()
  const rule = parsed.success
  const days = sortDays(rule.byDay)
  const plainDays = days.every((d) => d.ordinal === null)
  const months = rule.byMonth.map((m) => MONTH_SHORT_NAMES[m - 1] ?? String(m))
  // the 1st … 31st first, then "last day", "2nd to last day" …
  const monthDays = [...rule.byMonthDay].sort((a, b) => (a < 0 ? 100 - a : a) - (b < 0 ? 100 - b : b))
  let text_: string
  let setPosDescribed = false

  switch (rule.freq) {
    case "DAILY":
    case "WEEKLY": {
      const base = rule.freq === "DAILY" ? unit(rule.interval, "day") : unit(rule.interval, "week")
      if (days.length === 0) text_ = base
      else if (rule.interval === 1 && isWeekdays(days) && rule.bySetPos.length === 0) text_ = "every weekday"
      else if (rule.interval === 1 && rule.bySetPos.length === 0)
        text_ = `every ${joinAnd(days.map(dayText))}`
      else text_ = `${base} on ${joinAnd(days.map(dayText))}`
      if (months.length > 0) text_ += ` in ${joinAnd(months)}`
      break
    }
    case "MONTHLY": {
      text_ = unit(rule.interval, "month")
      const setPos = rule.bySetPos[0]
      if (
        rule.bySetPos.length === 1 &&
        setPos !== undefined &&
        days.length > 0 &&
        plainDays &&
        rule.byMonthDay.length === 0
      ) {
        const which = isWeekdays(days) ? "weekday" : `of ${joinAnd(days.map(dayText))}`
        text_ += ` on the ${position(setPos)} ${which}`
        setPosDescribed = true
        if (months.length > 0) text_ += ` in ${joinAnd(months)}`
        break
      }
      const on: string[] = []
      if (monthDays.length > 0) on.push(joinAnd(monthDays.map(monthDayText)))
      if (days.length > 0) on.push(plainDays && isWeekdays(days) ? "weekdays" : joinAnd(days.map(dayText)))
      if (on.length > 0) text_ += ` on ${on.join(" that are ")}`
      if (months.length > 0) text_ += ` in ${joinAnd(months)}`
      break
    }
    case "YEARLY": {
      text_ = unit(rule.interval, "year")
      if (rule.byYearDay.length > 0) {
        text_ += ` on day ${joinAnd(rule.byYearDay.map((n) => (n < 0 ? `${position(n)}` : String(n))))} of the year`
      } else if (months.length === 1 && rule.byMonthDay.length > 0 && days.length === 0) {
        text_ += ` on ${joinAnd(rule.byMonthDay.map((n) => (n > 0 ? `${months[0]} ${n}` : `${monthDayText(n)} of ${months[0]}`)))}`
      } else {
        if (monthDays.length > 0) text_ += ` on ${joinAnd(monthDays.map(monthDayText))}`
        if (days.length > 0) text_ += ` on ${joinAnd(days.map(dayText))}`
        if (months.length > 0)
          text_ += `${days.length > 0 || rule.byMonthDay.length > 0 ? " of" : " in"} ${joinAnd(months)}`
      }
      break
    }
  }

  if (rule.bySetPos.length > 0 && !setPosDescribed)
    text_ += ` (only the ${joinAnd(rule.bySetPos.map(position))})`
  if (rule.byHour.length > 0 && rule.byMinute.length <= 1) {
    const minute = rule.byMinute[0]
    text_ += ` at ${joinAnd(rule.byHour.map((h) => (minute === undefined ? `${h} o'clock` : `${pad2(h)}:${pad2(minute)}`)))}`
  }
  if (rule.count !== null) text_ += rule.count === 1 ? ", once" : `, ${rule.count} times`
  if (rule.until !== null) {
    const until = rule.until
    const date =
      until._tag === "Date"
        ? until.date
        : until._tag === "Floating"
          ? until.local
          : fromEpochDay(Math.floor(until.epochMillis / 86_400_000))
    const label = `${date.day} ${MONTH_SHORT_NAMES[date.month - 1]} ${date.year}`
    text_ += `, until ${label}`
  }
  return text_
}
