import type { RepeatFrom } from "@todo/contracts"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  daysInMonth,
  formatDateTime,
  fromFloatingMillis,
  fromLocal,
  type LocalDateTime,
  localTimeExists,
  toEpochMillis,
  toIsoString,
  toLocal,
  weekdayOf,
} from "@todo/calendar"
import {
  firstOccurrence,
  InvalidRecurrence,
  nextOccurrence,
  shiftReminder,
} from "../../src/tasks/Recurrence.ts"
import { validateRule, WorkBudget } from "@todo/calendar/recurrence"
import { refTransitions } from "../../../calendar/test/reference.ts"

const next = (
  rule: string,
  dueDate: string | null,
  completedAt: string,
  timezone = "Europe/Berlin",
  repeatFrom: RepeatFrom = "dueDate",
) => nextOccurrence({ rule, dueDate, completedAt, timezone, repeatFrom })

describe("nextOccurrence", () => {
  it.each([
    // [name, rule, dueDate, completedAt, timezone, repeatFrom, expected due, expected rule]
    [
      "daily",
      "FREQ=DAILY",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T10:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-25T08:00:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "weekly MO,TH: Monday → Thursday",
      "FREQ=WEEKLY;BYDAY=MO,TH",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-27T08:00:00.000Z",
      "FREQ=WEEKLY;BYDAY=MO,TH",
    ],
    [
      "weekly MO,TH: Thursday → next Monday",
      "FREQ=WEEKLY;BYDAY=MO,TH",
      "2025-11-27T08:00:00.000Z",
      "2025-11-27T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-12-01T08:00:00.000Z",
      "FREQ=WEEKLY;BYDAY=MO,TH",
    ],
    [
      "every 2 weeks",
      "FREQ=WEEKLY;INTERVAL=2",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-12-08T08:00:00.000Z",
      "FREQ=WEEKLY;INTERVAL=2",
    ],
    [
      "every 2 weeks on Mon and Thu from Thu",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
      "2025-11-27T08:00:00.000Z",
      "2025-11-27T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-12-08T08:00:00.000Z",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    ],
    [
      "monthly on the 31st skips February (and the DST change)",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
      "2025-01-31T08:00:00.000Z",
      "2025-01-31T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-31T07:00:00.000Z",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
    ],
    [
      "monthly on the 31st skips April",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
      "2025-03-31T07:00:00.000Z",
      "2025-03-31T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-05-31T07:00:00.000Z",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
    ],
    [
      "plain monthly from Jan 31 (day taken from the due date)",
      "FREQ=MONTHLY",
      "2025-01-31T08:00:00.000Z",
      "2025-01-31T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-31T07:00:00.000Z",
      "FREQ=MONTHLY",
    ],
    [
      "last day of the month",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
      "2025-01-31T08:00:00.000Z",
      "2025-01-31T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-02-28T08:00:00.000Z",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
    ],
    [
      "yearly on Feb 29",
      "FREQ=YEARLY",
      "2024-02-29T08:00:00.000Z",
      "2024-02-29T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2028-02-29T08:00:00.000Z",
      "FREQ=YEARLY",
    ],
    [
      "COUNT is decremented",
      "FREQ=DAILY;COUNT=3",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-25T08:00:00.000Z",
      "FREQ=DAILY;COUNT=2",
    ],
    [
      "COUNT keeps its place",
      "RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-12-01T08:00:00.000Z",
      "FREQ=WEEKLY;COUNT=9;BYDAY=MO",
    ],
    [
      "UNTIL (a date) includes its whole day",
      "FREQ=DAILY;UNTIL=20251125",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-25T08:00:00.000Z",
      "FREQ=DAILY;UNTIL=20251125",
    ],
    [
      "UNTIL (an instant) exactly at the occurrence",
      "FREQ=DAILY;UNTIL=20251125T080000Z",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-25T08:00:00.000Z",
      "FREQ=DAILY;UNTIL=20251125T080000Z",
    ],
    // DST: 09:00 local stays 09:00 local
    [
      "Berlin spring forward",
      "FREQ=DAILY",
      "2025-03-29T08:00:00.000Z",
      "2025-03-29T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-30T07:00:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "Berlin fall back",
      "FREQ=DAILY",
      "2025-10-25T07:00:00.000Z",
      "2025-10-25T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-10-26T08:00:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "Berlin weekly across spring forward",
      "FREQ=WEEKLY",
      "2025-03-24T08:00:00.000Z",
      "2025-03-24T09:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-31T07:00:00.000Z",
      "FREQ=WEEKLY",
    ],
    [
      "New York spring forward",
      "FREQ=DAILY",
      "2025-03-08T14:00:00.000Z",
      "2025-03-08T15:00:00Z",
      "America/New_York",
      "dueDate",
      "2025-03-09T13:00:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "New York fall back",
      "FREQ=DAILY",
      "2025-11-01T13:00:00.000Z",
      "2025-11-01T15:00:00Z",
      "America/New_York",
      "dueDate",
      "2025-11-02T14:00:00.000Z",
      "FREQ=DAILY",
    ],
    // DST gap: 02:30 does not exist → 03:30, and the rule remembers 02:30
    [
      "Berlin 02:30 in the gap → 03:30",
      "FREQ=DAILY",
      "2025-03-29T01:30:00.000Z",
      "2025-03-29T02:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-30T01:30:00.000Z",
      "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
    ],
    [
      "Berlin after the gap, back to 02:30",
      "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
      "2025-03-30T01:30:00.000Z",
      "2025-03-30T02:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-31T00:30:00.000Z",
      "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
    ],
    [
      "Berlin weekly 02:30 in the gap",
      "FREQ=WEEKLY;COUNT=4",
      "2025-03-23T01:30:00.000Z",
      "2025-03-23T02:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-03-30T01:30:00.000Z",
      "FREQ=WEEKLY;COUNT=3;BYHOUR=2;BYMINUTE=30",
    ],
    [
      "New York 02:30 in the gap → 03:30",
      "FREQ=DAILY",
      "2025-03-08T07:30:00.000Z",
      "2025-03-08T08:00:00Z",
      "America/New_York",
      "dueDate",
      "2025-03-09T07:30:00.000Z",
      "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
    ],
    // DST overlap: 01:30 happens twice in New York on 2 Nov 2025 → the earlier (EDT)
    [
      "New York 01:30 in the overlap → earlier offset",
      "FREQ=DAILY",
      "2025-11-01T05:30:00.000Z",
      "2025-11-01T06:00:00Z",
      "America/New_York",
      "dueDate",
      "2025-11-02T05:30:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "New York after the overlap",
      "FREQ=DAILY",
      "2025-11-02T05:30:00.000Z",
      "2025-11-02T06:00:00Z",
      "America/New_York",
      "dueDate",
      "2025-11-03T06:30:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "Sydney: last Friday of the month",
      "FREQ=MONTHLY;BYDAY=-1FR",
      "2025-11-27T22:00:00.000Z",
      "2025-11-28T01:00:00Z",
      "Australia/Sydney",
      "dueDate",
      "2025-12-25T22:00:00.000Z",
      "FREQ=MONTHLY;BYDAY=-1FR",
    ],
    [
      "Sydney: spring forward (5 Oct 2025)",
      "FREQ=DAILY",
      "2025-10-03T23:00:00.000Z",
      "2025-10-04T00:00:00Z",
      "Australia/Sydney",
      "dueDate",
      "2025-10-04T22:00:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "Kolkata: Friday → Monday",
      "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      "2025-11-28T03:30:00.000Z",
      "2025-11-28T04:00:00Z",
      "Asia/Kolkata",
      "dueDate",
      "2025-12-01T03:30:00.000Z",
      "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ],
    [
      "Chatham: DST starts (+12:45 → +13:45)",
      "FREQ=DAILY",
      "2025-09-26T20:15:00.000Z",
      "2025-09-26T21:00:00Z",
      "Pacific/Chatham",
      "dueDate",
      "2025-09-27T19:15:00.000Z",
      "FREQ=DAILY",
    ],
    [
      "UTC",
      "FREQ=WEEKLY;BYDAY=SU",
      "2025-11-23T23:59:00.000Z",
      "2025-11-24T00:00:00Z",
      "UTC",
      "dueDate",
      "2025-11-30T23:59:00.000Z",
      "FREQ=WEEKLY;BYDAY=SU",
    ],
    // the local day, not the UTC day, decides: 00:30 Tuesday in Kolkata is Monday in UTC
    [
      "weekday in the user's zone",
      "FREQ=WEEKLY;BYDAY=TU",
      "2025-11-24T19:00:00.000Z",
      "2025-11-24T20:00:00Z",
      "Asia/Kolkata",
      "dueDate",
      "2025-12-01T19:00:00.000Z",
      "FREQ=WEEKLY;BYDAY=TU",
    ],
    // missed occurrences are kept: completing a daily task 4 days late gives the day after its old due date
    [
      "missed occurrences are kept",
      "FREQ=DAILY",
      "2025-11-20T08:00:00.000Z",
      "2025-11-24T10:00:00Z",
      "Europe/Berlin",
      "dueDate",
      "2025-11-21T08:00:00.000Z",
      "FREQ=DAILY",
    ],
    // repeatFrom=completion (every!)
    [
      "every! 3 days, completed late in the evening",
      "FREQ=DAILY;INTERVAL=3",
      "2025-11-10T08:00:00.000Z",
      "2025-11-12T17:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-11-15T08:00:00.000Z",
      "FREQ=DAILY;INTERVAL=3",
    ],
    [
      "every! 3 days, completed early in the morning",
      "FREQ=DAILY;INTERVAL=3",
      "2025-11-10T08:00:00.000Z",
      "2025-11-12T06:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-11-15T08:00:00.000Z",
      "FREQ=DAILY;INTERVAL=3",
    ],
    [
      "every! week (weekday taken from completion)",
      "FREQ=WEEKLY",
      "2025-11-10T08:00:00.000Z",
      "2025-11-19T12:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-11-26T08:00:00.000Z",
      "FREQ=WEEKLY",
    ],
    [
      "every! Monday, completed on a Wednesday",
      "FREQ=WEEKLY;BYDAY=MO",
      "2025-11-10T08:00:00.000Z",
      "2025-11-19T12:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-11-24T08:00:00.000Z",
      "FREQ=WEEKLY;BYDAY=MO",
    ],
    [
      "every! month",
      "FREQ=MONTHLY",
      "2025-01-15T08:00:00.000Z",
      "2025-02-03T12:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-03-03T08:00:00.000Z",
      "FREQ=MONTHLY",
    ],
    [
      "every! day, completed before the due time on the due day",
      "FREQ=DAILY",
      "2025-11-24T08:00:00.000Z",
      "2025-11-24T06:00:00Z",
      "Europe/Berlin",
      "completion",
      "2025-11-25T08:00:00.000Z",
      "FREQ=DAILY",
    ],
  ] as const)("%s", (_name, rule, due, completed, tz, repeatFrom, expectedDue, expectedRule) => {
    expect(next(rule, due, completed, tz, repeatFrom)).toEqual({ dueDate: expectedDue, rule: expectedRule })
  })

  it("a task without a due date is anchored at its completion (to the minute)", () => {
    expect(next("FREQ=DAILY", null, "2025-11-24T10:17:45.123Z")).toEqual({
      dueDate: "2025-11-25T10:17:00.000Z",
      rule: "FREQ=DAILY",
    })
    expect(
      next("FREQ=WEEKLY;BYDAY=MO,TH", null, "2025-11-24T10:17:45Z", "Europe/Berlin", "completion"),
    ).toEqual({
      dueDate: "2025-11-27T10:17:00.000Z",
      rule: "FREQ=WEEKLY;BYDAY=MO,TH",
    })
  })

  it.each([
    ["COUNT=1: this was the last task", "FREQ=DAILY;COUNT=1", "2025-11-24T08:00:00.000Z"],
    ["UNTIL (a date) passed", "FREQ=DAILY;UNTIL=20251124", "2025-11-24T08:00:00.000Z"],
    ["UNTIL (an instant) one second before", "FREQ=DAILY;UNTIL=20251125T075959Z", "2025-11-24T08:00:00.000Z"],
    ["UNTIL long gone", "FREQ=WEEKLY;UNTIL=20200101", "2025-11-24T08:00:00.000Z"],
    ["the due date's day makes the rule impossible", "FREQ=YEARLY;BYMONTH=2", "2025-01-31T08:00:00.000Z"],
  ])("%s → null", (_name, rule, due) => {
    expect(next(rule, due, "2025-11-24T09:00:00Z")).toBeNull()
  })

  it("a COUNT chain yields exactly COUNT tasks", () => {
    let rule: string = "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=5"
    let due: string = "2025-11-24T08:00:00.000Z"
    const dues = [due]
    for (;;) {
      const n = next(rule, due, due)
      if (n === null) break
      dues.push(n.dueDate)
      rule = n.rule
      due = n.dueDate
    }
    expect(dues).toEqual([
      "2025-11-24T08:00:00.000Z",
      "2025-11-27T08:00:00.000Z",
      "2025-12-01T08:00:00.000Z",
      "2025-12-04T08:00:00.000Z",
      "2025-12-08T08:00:00.000Z",
    ])
    expect(rule).toBe("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=1")
  })

  it("throws InvalidRecurrence for a bad rule or zone", () => {
    expect(() => next("FREQ=HOURLY", "2025-11-24T08:00:00.000Z", "2025-11-24T09:00:00Z")).toThrow(
      InvalidRecurrence,
    )
    expect(() => next("FREQ=DAILY", "2025-11-24T08:00:00.000Z", "2025-11-24T09:00:00Z", "Mars/Base")).toThrow(
      InvalidRecurrence,
    )
  })
})

describe("the end of the calendar and the work budget", () => {
  it("a yearly task due 31 Dec 9999 ends its series instead of failing", () => {
    expect(next("FREQ=YEARLY", "9999-12-31T09:00:00.000Z", "2030-01-01T00:00:00Z", "UTC")).toBeNull()
    expect(next("FREQ=DAILY", "9999-12-31T09:00:00.000Z", "2030-01-01T00:00:00Z", "Asia/Tokyo")).toBeNull()
  })

  it("a next occurrence on 31 Dec 9999 local time but in year 10000 UTC ends the series", () => {
    // 20:00 on 30 Dec 9999 in Los Angeles; the next day's 20:00 there is 10000-01-01T04:00Z
    expect(
      next("FREQ=DAILY", "9999-12-31T04:00:00.000Z", "2030-01-01T00:00:00Z", "America/Los_Angeles"),
    ).toBeNull()
    // the day before still rolls over
    expect(
      next("FREQ=DAILY", "9999-12-30T04:00:00.000Z", "2030-01-01T00:00:00Z", "America/Los_Angeles")?.dueDate,
    ).toBe("9999-12-31T04:00:00.000Z")
  })

  it("stops with InvalidRecurrence saying why when the request's budget runs out", () => {
    const input = {
      rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
      dueDate: "2016-02-29T09:00:00.000Z",
      completedAt: "2016-02-29T10:00:00Z",
      timezone: "UTC",
      repeatFrom: "dueDate" as const,
    }
    expect(nextOccurrence(input)?.dueDate).toBe("2044-02-29T09:00:00.000Z")
    expect(() => nextOccurrence({ ...input, budget: new WorkBudget(500) })).toThrow(
      /takes too much work to evaluate \(more than 500 calendar steps\)/,
    )
  })
})

describe("firstOccurrence", () => {
  it.each([
    // rule, start (local), now, zone, expected
    [
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      "2025-11-24T09:30:00",
      "2025-11-24T07:00:00Z",
      "Europe/Berlin",
      "2025-11-24T08:30:00.000Z",
    ],
    [
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      "2025-11-29T09:30:00",
      "2025-11-29T07:00:00Z",
      "Europe/Berlin",
      "2025-12-01T08:30:00.000Z",
    ],
    [
      "FREQ=MONTHLY;BYMONTHDAY=1",
      "2025-11-24T09:00:00",
      "2025-11-24T07:00:00Z",
      "Europe/Berlin",
      "2025-12-01T08:00:00.000Z",
    ],
    [
      "FREQ=MONTHLY;BYMONTHDAY=31",
      "2025-11-24T09:00:00",
      "2025-11-24T07:00:00Z",
      "Europe/Berlin",
      "2025-12-31T08:00:00.000Z",
    ],
    [
      "FREQ=DAILY",
      "2025-11-24T09:00:00",
      "2025-11-24T09:00:00Z",
      "Europe/Berlin",
      "2025-11-25T08:00:00.000Z",
    ],
  ])("%s from %s", (rule, start, now, tz, expected) => {
    const local = fromFloatingMillis(Date.parse(`${start}Z`))
    expect(firstOccurrence({ rule, start: local, timezone: tz, notBefore: now })).toBe(expected)
  })
})

describe("shiftReminder", () => {
  it("keeps the exact distance without a zone", () => {
    expect(shiftReminder("2025-11-24T08:00:00Z", "2025-11-24T07:30:00Z", "2025-11-25T08:00:00Z")).toBe(
      "2025-11-25T07:30:00.000Z",
    )
    expect(shiftReminder("2025-03-29T08:00:00Z", "2025-03-28T17:00:00Z", "2025-03-30T07:00:00Z")).toBe(
      "2025-03-29T16:00:00.000Z",
    )
  })

  it("keeps the wall-clock relation with a zone, across DST", () => {
    // reminder the evening before at 18:00; the next due date is after the spring-forward
    expect(
      shiftReminder("2025-03-29T08:00:00Z", "2025-03-28T17:00:00Z", "2025-03-31T07:00:00Z", "Europe/Berlin"),
    ).toBe("2025-03-30T16:00:00.000Z")
    expect(
      shiftReminder("2025-11-24T08:00:00Z", "2025-11-24T07:30:00Z", "2025-11-25T08:00:00Z", "Europe/Berlin"),
    ).toBe("2025-11-25T07:30:00.000Z")
  })

  it("returns null without a reminder or an old due date", () => {
    expect(shiftReminder("2025-11-24T08:00:00Z", null, "2025-11-25T08:00:00Z")).toBeNull()
    expect(shiftReminder(null, "2025-11-24T07:30:00Z", "2025-11-25T08:00:00Z")).toBeNull()
  })
})

describe("properties", () => {
  const ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
  ]
  const CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const
  const ruleArb = fc.constantFrom("DAILY", "WEEKLY", "MONTHLY", "YEARLY").chain((freq) =>
    fc
      .record({
        interval: fc.integer({ min: 1, max: 3 }),
        byMonth: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: freq === "YEARLY" ? 3 : 1 }),
        byMonthDay:
          freq === "WEEKLY"
            ? fc.constant<number[]>([])
            : fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: -3, max: -1 })), {
                maxLength: 2,
              }),
        byDay: fc.uniqueArray(
          fc.tuple(
            fc.integer({ min: 0, max: 6 }),
            freq === "MONTHLY"
              ? fc.option(fc.constantFrom(1, 2, -1), { freq: 2 })
              : fc.constant<number | null>(null),
          ),
          { maxLength: 3, selector: ([d, n]) => `${n}${d}` },
        ),
        count: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 4 }),
      })
      .map((r) => {
        const parts = [`FREQ=${freq}`]
        if (r.interval > 1) parts.push(`INTERVAL=${r.interval}`)
        if (r.byMonth.length > 0) parts.push(`BYMONTH=${r.byMonth.join(",")}`)
        if (r.byMonthDay.length > 0) parts.push(`BYMONTHDAY=${r.byMonthDay.join(",")}`)
        if (r.byDay.length > 0)
          parts.push(`BYDAY=${r.byDay.map(([d, n]) => `${n ?? ""}${CODES[d]}`).join(",")}`)
        if (r.count !== null) parts.push(`COUNT=${r.count}`)
        return { text: parts.join(";"), ...r }
      }),
  )
  const transitions = new Map(
    ZONES.map((z) => [z, refTransitions(z, Date.UTC(2023, 0, 1), Date.UTC(2029, 0, 1))]),
  )
  const caseArb = fc.constantFrom(...ZONES).chain((zone) => {
    const changes = transitions.get(zone) ?? []
    const anyMinute = fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 })
    // 1, 7 or about 30 days before one of the zone's DST changes, so daily/weekly/monthly rules land on it
    const beforeChange =
      changes.length === 0
        ? anyMinute
        : fc
            .tuple(fc.constantFrom(...changes), fc.constantFrom(1, 7, 28, 30, 31))
            .map(([t, days]) => Math.floor((t - days * 86_400_000) / 60_000))
    return fc.record({
      rule: ruleArb,
      zone: fc.constant(zone),
      // minute precision; half of the cases at 02:30 local, the DST-gap hour in most zones
      due: fc.oneof(anyMinute, beforeChange),
      at0230: fc.boolean(),
      lateBy: fc.integer({ min: -3 * 24 * 60, max: 40 * 24 * 60 }),
      repeatFrom: fc.constantFrom<RepeatFrom>("dueDate", "completion"),
    })
  })

  const dueOf = (c: { readonly due: number; readonly at0230: boolean; readonly zone: string }): string => {
    const instant = c.due * 60_000
    if (!c.at0230) return toIsoString(instant)
    const local = toLocal(instant, c.zone)
    return toIsoString(fromLocal({ ...local, hour: 2, minute: 30, second: 0, millisecond: 0 }, c.zone))
  }

  it("the next occurrence is strictly after its anchor, matches BYMONTH/BYMONTHDAY/BYDAY and keeps the time of day", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const parsed = validateRule(c.rule.text)
        if (Result.isFailure(parsed)) return
        const due = dueOf(c)
        const completedAt = toIsoString(toEpochMillis(due) + c.lateBy * 60_000)
        const result = nextOccurrence({
          rule: c.rule.text,
          dueDate: due,
          completedAt,
          timezone: c.zone,
          repeatFrom: c.repeatFrom,
        })
        if (c.rule.count === 1) {
          expect(result).toBeNull()
          return
        }
        if (result === null) return
        const nextMillis = toEpochMillis(result.dueDate)
        const anchor = c.repeatFrom === "dueDate" ? toEpochMillis(due) : toEpochMillis(completedAt)
        expect(nextMillis).toBeGreaterThan(anchor)

        const dueLocal = toLocal(due, c.zone)
        const nextLocal = toLocal(result.dueDate, c.zone)
        const intended: LocalDateTime = {
          ...nextLocal,
          hour: dueLocal.hour,
          minute: dueLocal.minute,
          second: dueLocal.second,
          millisecond: 0,
        }
        // the date part: in a DST gap the wall clock moved forward within the same day in these zones
        const date = localTimeExists(intended, c.zone) ? nextLocal : intended
        if (c.rule.byMonth.length > 0) expect(c.rule.byMonth).toContain(date.month)
        if (c.rule.byMonthDay.length > 0) {
          const len = daysInMonth(date.year, date.month)
          expect(c.rule.byMonthDay.some((n) => (n > 0 ? n === date.day : len + n + 1 === date.day))).toBe(
            true,
          )
        }
        if (c.rule.byDay.length > 0) expect(c.rule.byDay.map(([d]) => d)).toContain(weekdayOf(date))
        if (c.rule.count !== null) expect(result.rule).toContain(`COUNT=${c.rule.count - 1}`)

        if (localTimeExists(intended, c.zone)) {
          expect(formatDateTime(nextLocal)).toBe(formatDateTime(intended))
        } else {
          expect(nextMillis).toBe(toEpochMillis(fromLocal(intended, c.zone)))
          expect(result.rule).toContain(`BYHOUR=${dueLocal.hour}`)
          expect(result.rule).toContain(`BYMINUTE=${dueLocal.minute}`)
        }
        // the next rule is valid and the chain goes on strictly forward
        expect(Result.isSuccess(validateRule(result.rule))).toBe(true)
        const after = nextOccurrence({
          rule: result.rule,
          dueDate: result.dueDate,
          completedAt: result.dueDate,
          timezone: c.zone,
          repeatFrom: "dueDate",
        })
        if (after !== null) expect(toEpochMillis(after.dueDate)).toBeGreaterThan(nextMillis)
      }),
      { numRuns: 400 },
    )
  })
})
