/**
 * An independent, brute-force reference for zone conversions, built straight on Intl (not on Effect's DateTime), so
 * the property tests compare two implementations instead of one with itself.
 */
import { type LocalDateTime, toFloatingMillis } from "../src/Calendar.ts"

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatter = (timezone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timezone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    })
    formatters.set(timezone, f)
  }
  return f
}

export const refLocal = (epochMillis: number, timezone: string): LocalDateTime & { weekday: string } => {
  const parts = formatter(timezone).formatToParts(epochMillis)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ""
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    second: Number(get("second")),
    millisecond: ((epochMillis % 1000) + 1000) % 1000,
    weekday: get("weekday"),
  }
}

/** Offset of the zone at an instant, in milliseconds. */
export const refOffset = (epochMillis: number, timezone: string): number =>
  toFloatingMillis(refLocal(epochMillis, timezone)) - epochMillis

/**
 * The instant of a wall-clock time: every offset the zone uses within ±1 day is tried; the self-consistent ones are
 * the real instants (two in an overlap: take the earlier); none means a gap, where the offset in force before the
 * gap (the smaller one) shifts the time forward by the gap's length.
 */
export const refFromLocal = (local: LocalDateTime, timezone: string): number => {
  const wall = toFloatingMillis(local)
  const offsets = new Set<number>()
  for (let h = -26; h <= 26; h++) offsets.add(refOffset(wall + h * 3_600_000, timezone))
  const solutions = [...offsets].map((o) => wall - o).filter((t) => refOffset(t, timezone) === wall - t)
  if (solutions.length > 0) return Math.min(...solutions)
  return wall - Math.min(...offsets)
}

/** Instants at which the zone's offset changes between `fromMillis` and `toMillis` (hour precision search + bisection). */
export const refTransitions = (timezone: string, fromMillis: number, toMillis: number): number[] => {
  const out: number[] = []
  const step = 6 * 3_600_000
  let prev = refOffset(fromMillis, timezone)
  for (let t = fromMillis + step; t <= toMillis; t += step) {
    const o = refOffset(t, timezone)
    if (o !== prev) {
      let lo = t - step
      let hi = t
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2 / 1000) * 1000
        if (refOffset(mid, timezone) === prev) lo = mid
        else hi = mid
      }
      out.push(hi)
      prev = o
    }
  }
  return out
}
