import { DateTime } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatDateTime, fromFloatingMillis, toFloatingMillis } from "../src/Calendar.ts"
import {
  addLocalDays,
  addLocalMonths,
  dayOfWeek,
  fromLocal,
  isValidTimeZone,
  localDayLengthHours,
  localDaysBetween,
  localTimeExists,
  offsetMinutes,
  startOfLocalDay,
  toInstant,
  toIsoString,
  toLocal,
} from "../src/Zoned.ts"
import { refFromLocal, refLocal, refTransitions } from "./reference.ts"

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kolkata",
  "UTC",
  "Pacific/Chatham",
  "America/Santiago",
  "Australia/Lord_Howe",
] as const

const iso = (d: DateTime.DateTime) => DateTime.formatIso(d)
const local = (instant: string, tz: string) => formatDateTime(toLocal(instant, tz))

describe("toLocal / fromLocal", () => {
  it.each([
    // zone, local wall clock, expected instant
    ["UTC", "2025-06-01T09:00:00", "2025-06-01T09:00:00.000Z"],
    ["Asia/Kolkata", "2025-06-01T09:00:00", "2025-06-01T03:30:00.000Z"],
    ["Europe/Berlin", "2025-01-15T09:00:00", "2025-01-15T08:00:00.000Z"],
    ["Europe/Berlin", "2025-07-15T09:00:00", "2025-07-15T07:00:00.000Z"],
    // spring forward: 02:00 CET → 03:00 CEST on 30 Mar 2025; 02:30 does not exist → 03:30 CEST
    ["Europe/Berlin", "2025-03-30T02:30:00", "2025-03-30T01:30:00.000Z"],
    ["Europe/Berlin", "2025-03-30T01:59:59", "2025-03-30T00:59:59.000Z"],
    ["Europe/Berlin", "2025-03-30T03:00:00", "2025-03-30T01:00:00.000Z"],
    // fall back: 03:00 CEST → 02:00 CET on 26 Oct 2025; 02:30 happens twice → the earlier (CEST)
    ["Europe/Berlin", "2025-10-26T02:30:00", "2025-10-26T00:30:00.000Z"],
    ["Europe/Berlin", "2025-10-26T03:00:00", "2025-10-26T02:00:00.000Z"],
    ["America/New_York", "2025-03-09T02:30:00", "2025-03-09T07:30:00.000Z"],
    ["America/New_York", "2025-11-02T01:30:00", "2025-11-02T05:30:00.000Z"],
    ["America/New_York", "2025-11-02T02:30:00", "2025-11-02T07:30:00.000Z"],
    // southern hemisphere: DST starts 5 Oct 2025 02:00 AEST → 03:00 AEDT, ends 6 Apr 2025 03:00 AEDT → 02:00 AEST
    ["Australia/Sydney", "2025-10-05T02:30:00", "2025-10-04T16:30:00.000Z"],
    ["Australia/Sydney", "2025-04-06T02:30:00", "2025-04-05T15:30:00.000Z"],
    ["Australia/Sydney", "2025-07-01T09:00:00", "2025-06-30T23:00:00.000Z"],
    // Chatham: +12:45 / +13:45, DST starts 28 Sep 2025 02:45 → 03:45, ends 6 Apr 2025 03:45 → 02:45
    ["Pacific/Chatham", "2025-09-28T03:00:00", "2025-09-27T14:15:00.000Z"],
    ["Pacific/Chatham", "2025-04-06T03:00:00", "2025-04-05T13:15:00.000Z"],
    ["Pacific/Chatham", "2025-06-01T09:00:00", "2025-05-31T20:15:00.000Z"],
    // Lord Howe: a 30-minute DST shift (02:00 +10:30 → 02:30 +11:00 on 5 Oct 2025): 02:15 → 02:45
    ["Australia/Lord_Howe", "2025-10-05T02:15:00", "2025-10-04T15:45:00.000Z"],
    // Santiago: the clocks jump at midnight (7 Sep 2025 00:00 -04 → 01:00 -03)
    ["America/Santiago", "2025-09-07T00:00:00", "2025-09-07T04:00:00.000Z"],
  ])("%s %s → %s", (tz, wall, expected) => {
    const parts = fromFloatingMillis(Date.parse(`${wall}Z`))
    expect(iso(fromLocal(parts, tz))).toBe(expected)
  })

  it("reads wall-clock parts of an instant", () => {
    expect(toLocal("2025-03-30T01:30:00Z", "Europe/Berlin")).toEqual({
      year: 2025,
      month: 3,
      day: 30,
      hour: 3,
      minute: 30,
      second: 0,
      millisecond: 0,
    })
    expect(local("2025-11-02T06:30:00Z", "America/New_York")).toBe("2025-11-02T01:30:00")
    expect(local("2025-11-02T05:30:00Z", "America/New_York")).toBe("2025-11-02T01:30:00")
    expect(local("2025-12-31T23:30:00Z", "Pacific/Chatham")).toBe("2026-01-01T13:15:00")
    expect(local("2025-12-31T23:30:00.123Z", "Asia/Kolkata")).toBe("2026-01-01T05:00:00.123")
  })

  it("reports offsets in minutes", () => {
    expect(offsetMinutes("2025-01-15T12:00:00Z", "Europe/Berlin")).toBe(60)
    expect(offsetMinutes("2025-07-15T12:00:00Z", "Europe/Berlin")).toBe(120)
    expect(offsetMinutes("2025-01-15T12:00:00Z", "America/New_York")).toBe(-300)
    expect(offsetMinutes("2025-01-15T12:00:00Z", "Pacific/Chatham")).toBe(825)
    expect(offsetMinutes("2025-07-15T12:00:00Z", "Pacific/Chatham")).toBe(765)
    expect(offsetMinutes("2025-07-15T12:00:00Z", "Asia/Kolkata")).toBe(330)
  })

  it("knows which wall-clock times exist", () => {
    expect(localTimeExists({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, "Europe/Berlin")).toBe(
      false,
    )
    expect(localTimeExists({ year: 2025, month: 3, day: 30, hour: 3, minute: 0 }, "Europe/Berlin")).toBe(true)
    expect(localTimeExists({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, "Europe/Berlin")).toBe(
      true,
    )
    expect(localTimeExists({ year: 2025, month: 9, day: 7 }, "America/Santiago")).toBe(false)
  })

  it("rejects invalid zones, parts and instants", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true)
    expect(isValidTimeZone("Mars/Olympus")).toBe(false)
    expect(isValidTimeZone("")).toBe(false)
    expect(() => toLocal("2025-01-01T00:00:00Z", "Mars/Olympus")).toThrow(RangeError)
    expect(() => fromLocal({ year: 2025, month: 2, day: 29 }, "UTC")).toThrow(RangeError)
    expect(() => fromLocal({ year: 2025, month: 1, day: 1, hour: 24 }, "UTC")).toThrow(RangeError)
    expect(() => toInstant("2025-01-01T09:00:00")).toThrow(RangeError)
    expect(() => toInstant("tomorrow")).toThrow(RangeError)
    expect(() => toInstant(Number.NaN)).toThrow(RangeError)
    expect(toIsoString("2025-01-01T09:00:00+02:00")).toBe("2025-01-01T07:00:00.000Z")
    expect(toIsoString(new Date("2025-01-01T09:00:00Z"))).toBe("2025-01-01T09:00:00.000Z")
  })
})

describe("calendar arithmetic in local time", () => {
  it.each([
    // 09:00 stays 09:00 across spring forward and fall back
    ["Europe/Berlin", "2025-03-29T08:00:00.000Z", 1, "2025-03-30T07:00:00.000Z"],
    ["Europe/Berlin", "2025-10-25T07:00:00.000Z", 1, "2025-10-26T08:00:00.000Z"],
    ["America/New_York", "2025-03-08T14:00:00.000Z", 1, "2025-03-09T13:00:00.000Z"],
    ["America/New_York", "2025-11-01T13:00:00.000Z", 1, "2025-11-02T14:00:00.000Z"],
    ["Australia/Sydney", "2025-10-03T23:00:00.000Z", 1, "2025-10-04T22:00:00.000Z"],
    // 02:30 the day before a gap → 03:30 on the gap day
    ["Europe/Berlin", "2025-03-29T01:30:00.000Z", 1, "2025-03-30T01:30:00.000Z"],
    ["America/New_York", "2025-03-08T07:30:00.000Z", 1, "2025-03-09T07:30:00.000Z"],
    // backwards and across years
    ["Europe/Berlin", "2025-01-01T08:00:00.000Z", -1, "2024-12-31T08:00:00.000Z"],
    ["Pacific/Chatham", "2025-09-26T20:15:00.000Z", 2, "2025-09-28T19:15:00.000Z"],
    ["Asia/Kolkata", "2024-02-28T03:30:00.000Z", 1, "2024-02-29T03:30:00.000Z"],
  ])("%s: %s + %i days → %s", (tz, start, days, expected) => {
    expect(iso(addLocalDays(start, days, tz))).toBe(expected)
  })

  it.each([
    ["Europe/Berlin", "2025-01-31T08:00:00.000Z", 1, "2025-02-28T08:00:00.000Z"],
    ["Europe/Berlin", "2024-01-31T08:00:00.000Z", 1, "2024-02-29T08:00:00.000Z"],
    ["Europe/Berlin", "2025-02-28T08:00:00.000Z", 1, "2025-03-28T08:00:00.000Z"],
    ["Europe/Berlin", "2025-03-15T08:00:00.000Z", 1, "2025-04-15T07:00:00.000Z"],
    ["America/New_York", "2025-12-31T14:00:00.000Z", 2, "2026-02-28T14:00:00.000Z"],
    ["UTC", "2024-02-29T09:00:00.000Z", 12, "2025-02-28T09:00:00.000Z"],
    ["UTC", "2025-03-31T09:00:00.000Z", -1, "2025-02-28T09:00:00.000Z"],
  ])("%s: %s + %i months → %s", (tz, start, months, expected) => {
    expect(iso(addLocalMonths(start, months, tz))).toBe(expected)
  })

  it.each([
    ["Europe/Berlin", "2025-03-30T12:00:00Z", "2025-03-29T23:00:00.000Z", 23],
    ["Europe/Berlin", "2025-10-26T12:00:00Z", "2025-10-25T22:00:00.000Z", 25],
    ["America/New_York", "2025-11-02T12:00:00Z", "2025-11-02T04:00:00.000Z", 25],
    ["Australia/Sydney", "2025-10-05T00:00:00Z", "2025-10-04T14:00:00.000Z", 23],
    ["Asia/Kolkata", "2025-06-01T20:00:00Z", "2025-06-01T18:30:00.000Z", 24],
    ["Pacific/Chatham", "2025-09-28T00:00:00Z", "2025-09-27T11:15:00.000Z", 23],
    // local midnight does not exist: the day starts at 01:00
    ["America/Santiago", "2025-09-07T15:00:00Z", "2025-09-07T04:00:00.000Z", 23],
    ["Australia/Lord_Howe", "2025-10-05T00:00:00Z", "2025-10-04T13:30:00.000Z", 23.5],
  ])("%s: the day of %s starts at %s and lasts %f h", (tz, instant, start, hours) => {
    expect(iso(startOfLocalDay(instant, tz))).toBe(start)
    expect(localDayLengthHours(instant, tz)).toBe(hours)
  })

  it("finds the local day of the week where it differs from UTC", () => {
    // 2025-11-24 is a Monday in UTC
    expect(dayOfWeek("2025-11-24T10:00:00Z", "UTC")).toBe(1)
    expect(dayOfWeek("2025-11-24T23:30:00Z", "Asia/Kolkata")).toBe(2)
    expect(dayOfWeek("2025-11-24T03:00:00Z", "America/New_York")).toBe(0)
    expect(dayOfWeek("2025-11-24T11:00:00Z", "Pacific/Chatham")).toBe(2)
    expect(localDaysBetween("2025-03-29T12:00:00Z", "2025-03-31T12:00:00Z", "Europe/Berlin")).toBe(2)
    expect(localDaysBetween("2025-11-24T23:30:00Z", "2025-11-24T10:00:00Z", "Asia/Kolkata")).toBe(-1)
  })
})

describe("properties", () => {
  const zone = fc.constantFrom(...ZONES)
  // 1971 … 2099, second precision (plus milliseconds)
  const instant = fc.integer({ min: 31_536_000_000, max: 4_102_444_799_999 })
  const transitions = new Map(
    ZONES.map((tz) => [tz, refTransitions(tz, Date.UTC(2020, 0, 1), Date.UTC(2027, 0, 1))] as const),
  )
  /** A wall-clock time within ±3 hours of one of the zone's DST transitions (2020–2026), minute precision. */
  const nearTransition = zone
    .filter((tz) => (transitions.get(tz)?.length ?? 0) > 0)
    .chain((tz) => {
      const list = transitions.get(tz) ?? []
      return fc
        .tuple(fc.integer({ min: 0, max: list.length - 1 }), fc.integer({ min: -180, max: 180 }))
        .map(([i, minutes]) => {
          const t = (list[i] ?? 0) + minutes * 60_000
          const wall = fromFloatingMillis(toFloatingMillis(refLocal(t, tz)))
          return { tz, wall } as const
        })
    })
  const anyWall = fc.tuple(zone, instant).map(([tz, t]) => ({ tz, wall: toLocal(t, tz) }))

  it("fromLocal agrees with a brute-force Intl reference (gap → forward, overlap → earlier)", () => {
    fc.assert(
      fc.property(fc.oneof(nearTransition, anyWall), ({ tz, wall }) => {
        expect(DateTime.toEpochMillis(fromLocal(wall, tz))).toBe(refFromLocal(wall, tz))
      }),
      { numRuns: 400 },
    )
  })

  it("toLocal agrees with Intl, including the day of the week", () => {
    const names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    fc.assert(
      fc.property(zone, instant, (tz, t) => {
        const { weekday, ...ref } = refLocal(t, tz)
        expect(toLocal(t, tz)).toEqual(ref)
        expect(names[dayOfWeek(t, tz)]).toBe(weekday)
      }),
      { numRuns: 300 },
    )
  })

  it("round trip: instant → wall clock → instant gives the same wall clock (and the same instant outside overlaps)", () => {
    fc.assert(
      fc.property(zone, instant, (tz, t) => {
        const wall = toLocal(t, tz)
        const back = DateTime.toEpochMillis(fromLocal(wall, tz))
        expect(toLocal(back, tz)).toEqual(wall)
        // only in the second pass of an overlap may the instant differ, and then it is earlier
        expect(back).toBeLessThanOrEqual(t)
        if (back !== t) expect(refFromLocal(wall, tz)).toBe(back)
      }),
      { numRuns: 300 },
    )
  })

  it("round trip: wall clock → instant → wall clock is the identity except inside a gap", () => {
    fc.assert(
      fc.property(fc.oneof(nearTransition, anyWall), ({ tz, wall }) => {
        const back = toLocal(fromLocal(wall, tz), tz)
        if (localTimeExists(wall, tz)) expect(back).toEqual(wall)
        else expect(toFloatingMillis(back)).toBeGreaterThan(toFloatingMillis(wall))
      }),
      { numRuns: 300 },
    )
  })

  it("startOfLocalDay is the first instant of the local day and is monotonic", () => {
    fc.assert(
      fc.property(zone, instant, instant, (tz, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a]
        const s1 = DateTime.toEpochMillis(startOfLocalDay(t1, tz))
        const s2 = DateTime.toEpochMillis(startOfLocalDay(t2, tz))
        expect(s1).toBeLessThanOrEqual(t1)
        expect(s1).toBeLessThanOrEqual(s2)
        const day = toLocal(t1, tz)
        const first = toLocal(s1, tz)
        expect([first.year, first.month, first.day]).toEqual([day.year, day.month, day.day])
        const before = toLocal(s1 - 1, tz)
        expect([before.year, before.month, before.day]).not.toEqual([day.year, day.month, day.day])
      }),
      { numRuns: 300 },
    )
  })

  it("addLocalDays moves the date, keeps the wall-clock time when it exists, and is strictly increasing", () => {
    fc.assert(
      fc.property(zone, instant, fc.integer({ min: -400, max: 400 }), (tz, t, n) => {
        const a = DateTime.toEpochMillis(addLocalDays(t, n, tz))
        const b = DateTime.toEpochMillis(addLocalDays(t, n + 1, tz))
        expect(b).toBeGreaterThan(a)
        const start = toLocal(t, tz)
        const moved = toLocal(a, tz)
        const expectedDate = fromFloatingMillis(toFloatingMillis(start) + n * 86_400_000)
        const intended = {
          ...start,
          year: expectedDate.year,
          month: expectedDate.month,
          day: expectedDate.day,
        }
        if (localTimeExists(intended, tz)) expect(moved).toEqual(intended)
        else expect(a).toBe(refFromLocal(intended, tz))
      }),
      { numRuns: 300 },
    )
  })
})
