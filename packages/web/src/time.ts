/**
 * Dates in the user's time zone (their settings, else this device's). The API speaks UTC instants; inputs and labels
 * speak local wall-clock time in that zone, which need not be the browser's.
 */

export const deviceTimeZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"
  } catch {
    return "UTC"
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>()
const partsFormatter = (tz: string) => {
  let f = partsFormatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
    partsFormatters.set(tz, f)
  }
  return f
}

export interface LocalParts {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

/** The wall-clock reading of an instant in a zone. */
export const localParts = (ms: number, tz: string): LocalParts => {
  const out: Record<string, number> = {}
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value)
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  }
}

/** The zone's offset from UTC at an instant, in milliseconds. */
const offsetAt = (ms: number, tz: string) => {
  const p = localParts(ms, tz)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000
}

/** The instant at which the zone's clocks read the given local time (a DST gap moves it forward). */
export const fromLocal = (p: Omit<LocalParts, "second"> & { second?: number }, tz: string): number => {
  const guess = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second ?? 0)
  const first = guess - offsetAt(guess, tz)
  const second = guess - offsetAt(first, tz)
  return second
}

const pad = (n: number) => String(n).padStart(2, "0")

/** `2026-11-25T09:00` for an `<input type="datetime-local">`, in the zone. */
export const toInputValue = (iso: string | null | undefined, tz: string): string => {
  if (!iso) return ""
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ""
  const p = localParts(ms, tz)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
}

/** The UTC instant (ISO) of a `datetime-local` value read in the zone; null for an empty or bad value. */
export const fromInputValue = (value: string, tz: string): string | null => {
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/)
  if (!m) return null
  const ms = fromLocal(
    { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: m[4] ? +m[4] : 0, minute: m[5] ? +m[5] : 0 },
    tz,
  )
  return new Date(ms).toISOString()
}

/** Start of a calendar day (`YYYY-MM-DD`) in the zone, as an ISO instant; `plusDays` moves along the calendar. */
export const startOfDay = (date: string, tz: string, plusDays = 0): string | null => {
  const m = date.match(/^(\d{4})-(\d{2})-(\d{2})$/)
  if (!m) return null
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + plusDays))
  const ms = fromLocal(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 },
    tz,
  )
  return new Date(ms).toISOString()
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in the zone. */
export const localDay = (ms: number, tz: string): string => {
  const p = localParts(ms, tz)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

/** A calendar day `n` days after (or before) another, along the calendar (no zone involved). */
export const addDays = (day: string, n: number): string => {
  const [y, m, d] = day.split("-").map(Number)
  const date = new Date(Date.UTC(y!, m! - 1, d! + n))
  return date.toISOString().slice(0, 10)
}

/** English short names, the same in every browser: "Sun"…"Sat", "Jan"…"Dec". */
const nameFormat = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat("en-US", { timeZone: "UTC", ...options })
const WEEKDAY_NAMES = Array.from({ length: 7 }, (_, d) =>
  nameFormat({ weekday: "short" }).format(Date.UTC(2023, 0, 1 + d)),
)
const MONTH_NAMES = Array.from({ length: 12 }, (_, m) =>
  nameFormat({ month: "short" }).format(Date.UTC(2023, m, 1)),
)

/** A calendar day as the app writes dates: "Thu 3 Dec", with the year when it is not `today`'s ("Fri 1 Jan 2027"). */
export const formatDay = (day: string, today: string): string => {
  const [y, m, d] = day.split("-").map(Number)
  const weekday = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay()
  const year = day.slice(0, 4) === today.slice(0, 4) ? "" : ` ${y}`
  return `${WEEKDAY_NAMES[weekday]} ${d} ${MONTH_NAMES[m! - 1]}${year}`
}

const dayNumber = (p: LocalParts) => Math.floor(Date.UTC(p.year, p.month - 1, p.day) / 86_400_000)
const dayOfParts = (p: LocalParts) => `${p.year}-${pad(p.month)}-${pad(p.day)}`
const clock = (p: LocalParts) => `${pad(p.hour)}:${pad(p.minute)}`

/**
 * One way of writing a date and time everywhere, the way the agents' messages write them: "Tue 24 Nov 09:00", with
 * the year when it is not this year ("Fri 1 Jan 2027 09:00"). Fixed English names and a 24-hour clock, so a
 * suggestion's proposal and its message read the same whatever the browser's locale.
 */
export const formatDate = (iso: string, tz: string, now = Date.now()): string => {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const at = localParts(ms, tz)
  return `${formatDay(dayOfParts(at), localDay(now, tz))} ${clock(at)}`
}

/** The same, with "Today", "Tomorrow" and "Yesterday" for the days next to today: "Tomorrow 09:00". */
export const formatDue = (iso: string, tz: string, now = Date.now()): string => {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const at = localParts(ms, tz)
  const diff = dayNumber(at) - dayNumber(localParts(now, tz))
  const word = diff === 0 ? "Today" : diff === 1 ? "Tomorrow" : diff === -1 ? "Yesterday" : null
  return word ? `${word} ${clock(at)}` : formatDate(iso, tz, now)
}

/** "5 min ago", "3 h ago", "2 d ago" for notification and suggestion timestamps. */
export const formatAgo = (iso: string, now = Date.now()): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (Number.isNaN(s)) return ""
  if (s < 60) return "just now"
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86_400)} d ago`
}

export const timeZones = (): ReadonlyArray<string> => {
  try {
    return Intl.supportedValuesOf("timeZone")
  } catch {
    return ["UTC"]
  }
}

export const isValidTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz })
    return true
  } catch {
    return false
  }
}
