/**
 * RFC 5545 recurrence rules as the editor sees them: parse the parts the builder understands, write them back, and
 * say them in English ("every 2 weeks on Mon and Thu"). The server decides what a rule means; this only reads it.
 */

export type Freq = "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY"
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const
export type Weekday = (typeof WEEKDAYS)[number]
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: "Mon",
  TU: "Tue",
  WE: "Wed",
  TH: "Thu",
  FR: "Fri",
  SA: "Sat",
  SU: "Sun",
}
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

export interface Rule {
  readonly freq: Freq | "OTHER"
  readonly interval: number
  /** `MO`, or with an ordinal `1MO` / `-1FR`. */
  readonly byDay: ReadonlyArray<string>
  readonly byMonthDay: ReadonlyArray<number>
  readonly byMonth: ReadonlyArray<number>
  readonly count: number | null
  readonly until: string | null
  /** Parts the builder does not edit (BYSETPOS, BYHOUR, WKST, …), kept as written. */
  readonly rest: ReadonlyArray<readonly [string, string]>
  readonly rawFreq: string
}

export const parseRule = (text: string): Rule | null => {
  const body = text.trim().replace(/^RRULE:/i, "")
  if (!body) return null
  const parts = new Map<string, string>()
  for (const piece of body.split(";")) {
    const [k, v] = piece.split("=")
    if (!k || v === undefined) return null
    parts.set(k.toUpperCase(), v.toUpperCase())
  }
  const rawFreq = parts.get("FREQ")
  if (!rawFreq) return null
  const freq: Rule["freq"] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"].includes(rawFreq)
    ? (rawFreq as Freq)
    : "OTHER"
  const list = (k: string) => (parts.get(k) ?? "").split(",").filter((s) => s.length > 0)
  const numbers = (k: string) => list(k).map(Number).filter(Number.isFinite)
  const known = new Set(["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL"])
  return {
    freq,
    rawFreq,
    interval: Math.max(1, Number(parts.get("INTERVAL") ?? "1") || 1),
    byDay: list("BYDAY"),
    byMonthDay: numbers("BYMONTHDAY"),
    byMonth: numbers("BYMONTH"),
    count: parts.has("COUNT") ? Number(parts.get("COUNT")) : null,
    until: parts.get("UNTIL") ?? null,
    rest: [...parts].filter(([k]) => !known.has(k)),
  }
}

export const formatRule = (rule: Rule): string => {
  const out = [`FREQ=${rule.freq === "OTHER" ? rule.rawFreq : rule.freq}`]
  if (rule.interval > 1) out.push(`INTERVAL=${rule.interval}`)
  if (rule.byDay.length > 0) out.push(`BYDAY=${rule.byDay.join(",")}`)
  if (rule.byMonthDay.length > 0) out.push(`BYMONTHDAY=${rule.byMonthDay.join(",")}`)
  if (rule.byMonth.length > 0) out.push(`BYMONTH=${rule.byMonth.join(",")}`)
  for (const [k, v] of rule.rest) out.push(`${k}=${v}`)
  if (rule.count !== null) out.push(`COUNT=${rule.count}`)
  if (rule.until !== null) out.push(`UNTIL=${rule.until}`)
  return out.join(";")
}

/** Whether the builder can show and edit the rule without losing anything. */
export const isSimpleRule = (rule: Rule) =>
  rule.freq !== "OTHER" &&
  rule.rest.length === 0 &&
  rule.byMonth.length === 0 &&
  rule.byMonthDay.length === 0 &&
  rule.until === null &&
  rule.byDay.every((d) => (WEEKDAYS as ReadonlyArray<string>).includes(d)) &&
  (rule.freq === "WEEKLY" || rule.byDay.length === 0)

const joinAnd = (xs: ReadonlyArray<string>) =>
  xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`

const ordinal = (n: number): string => {
  if (n === -1) return "last"
  if (n < 0) return `${ordinal(-n)} to last`
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th")
  return `${n}${s}`
}

const monthDay = (n: number) => (n === -1 ? "last day" : n < 0 ? `${ordinal(-n)} to last day` : ordinal(n))

const dayText = (d: string) => {
  const m = d.match(/^([+-]?\d+)?([A-Z]{2})$/)
  if (!m) return d
  const name = WEEKDAY_NAMES[m[2] as Weekday] ?? m[2]!
  return m[1] ? `the ${ordinal(Number(m[1]))} ${name}` : name
}

const unit = (n: number, word: string) => (n === 1 ? `every ${word}` : `every ${n} ${word}s`)

const sortDays = (days: ReadonlyArray<string>) =>
  [...days].sort(
    (a, b) => WEEKDAYS.indexOf(a.slice(-2) as Weekday) - WEEKDAYS.indexOf(b.slice(-2) as Weekday),
  )

const isWeekdays = (days: ReadonlyArray<string>) =>
  days.length === 5 && ["MO", "TU", "WE", "TH", "FR"].every((d) => days.includes(d))

const untilText = (until: string) => {
  const m = until.match(/^(\d{4})(\d{2})(\d{2})/)
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : until
}

/** "every day", "every weekday", "every 2 weeks on Mon and Thu", "every month on the 15th", … */
export const describeRule = (text: string | null | undefined): string => {
  if (!text) return ""
  const rule = parseRule(text)
  if (!rule) return text
  const days = sortDays(rule.byDay)
  const months = rule.byMonth.map((m) => MONTHS[m - 1] ?? String(m))
  let s: string
  switch (rule.freq) {
    case "DAILY":
    case "WEEKLY": {
      const base = unit(rule.interval, rule.freq === "DAILY" ? "day" : "week")
      if (days.length === 0) s = base
      else if (rule.interval === 1 && isWeekdays(days)) s = "every weekday"
      else if (rule.interval === 1) s = `every ${joinAnd(days.map(dayText))}`
      else s = `${base} on ${joinAnd(days.map(dayText))}`
      if (months.length > 0) s += ` in ${joinAnd(months)}`
      break
    }
    case "MONTHLY": {
      s = unit(rule.interval, "month")
      if (rule.byMonthDay.length > 0) s += ` on the ${joinAnd(rule.byMonthDay.map(monthDay))}`
      if (days.length > 0) s += ` on ${joinAnd(days.map(dayText))}`
      if (months.length > 0) s += ` in ${joinAnd(months)}`
      break
    }
    case "YEARLY": {
      s = unit(rule.interval, "year")
      if (months.length > 0 && rule.byMonthDay.length > 0) {
        s += ` on ${joinAnd(months)} ${joinAnd(rule.byMonthDay.map(String))}`
      } else if (months.length > 0) s += ` in ${joinAnd(months)}`
      break
    }
    default:
      s = unit(rule.interval, rule.rawFreq.toLowerCase().replace(/ly$/, "").replace(/^dai$/, "day"))
  }
  if (rule.count !== null) s += rule.count === 1 ? ", once" : `, ${rule.count} times`
  if (rule.until !== null) s += `, until ${untilText(rule.until)}`
  return s
}

/** What the editor's recurrence controls hold. */
export interface RecurrenceDraft {
  readonly mode: "none" | Freq | "custom"
  readonly interval: number
  readonly days: ReadonlyArray<Weekday>
  readonly custom: string
}

export const draftFromRule = (text: string | null): RecurrenceDraft => {
  const none: RecurrenceDraft = { mode: "none", interval: 1, days: [], custom: "" }
  if (!text) return none
  const rule = parseRule(text)
  if (!rule) return { ...none, mode: "custom", custom: text }
  if (!isSimpleRule(rule) || rule.count !== null) return { ...none, mode: "custom", custom: text }
  return {
    mode: rule.freq as Freq,
    interval: rule.interval,
    days: rule.byDay as ReadonlyArray<Weekday>,
    custom: text,
  }
}

export const ruleFromDraft = (d: RecurrenceDraft): string | null => {
  if (d.mode === "none") return null
  if (d.mode === "custom") return d.custom.trim() || null
  return formatRule({
    freq: d.mode,
    rawFreq: d.mode,
    interval: Math.max(1, Math.floor(d.interval) || 1),
    byDay: d.mode === "WEEKLY" ? sortDays(d.days) : [],
    byMonthDay: [],
    byMonth: [],
    count: null,
    until: null,
    rest: [],
  })
}
