import type { RepeatFrom } from "@todo/contracts"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  daysInMonth,
  formatDateTime,
  fromFloatingMillis,
  type LocalDateTime,
  toFloatingMillis,
  weekdayOf,
} from "@todo/calendar/Calendar"
import { fromLocal, localTimeExists, toEpochMillis, toIsoString, toLocal } from "@todo/calendar/Zoned"
import {
  firstOccurrence,
  InvalidRecurrence,
  nextOccurrence,
  parseRecurrence,
  shiftReminder,
} from "../../src/tasks/Recurrence.ts"
import { nextAfter, parseRule } from "@todo/calendar/RRule"
import { refTransitions } from "../../../calendar/test/reference.ts"

const next = (
  rule: string,
  dueDate: string | null,
  completedAt: string,
  timezone = "Europe/Berlin",
  repeatFrom: RepeatFrom = "dueDate",
) => nextOccurrence({ rule, dueDate, completedAt, timezone, repeatFrom })

describe("parseRecurrence", () => {
  it.each([
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
    "freq=weekly;interval=2;byday=mo,th",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=DAILY;UNTIL=20200101",
    "FREQ=DAILY;COUNT=3",
    "FREQ=YEARLY;BYYEARDAY=-1",
  ])("accepts %s", (rule) => {
    expect(Result.isSuccess(parseRecurrence(rule))).toBe(true)
  })

  it.each([
    ["", "The recurrence rule is empty"],
    ["FREQ=HOURLY", "Tasks cannot repeat more often than once a day (FREQ=HOURLY is not supported)"],
    [
      "FREQ=MINUTELY;INTERVAL=5",
      "Tasks cannot repeat more often than once a day (FREQ=MINUTELY is not supported)",
    ],
    ["FREQ=FORTNIGHTLY", 'Unknown FREQ "FORTNIGHTLY": use DAILY, WEEKLY, MONTHLY or YEARLY'],
    ["BYDAY=MO", "The rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)"],
    ["FREQ=DAILY;COUNT=0", 'COUNT must be a whole number from 1 to 10000, got "0"'],
    ["FREQ=DAILY;INTERVAL=-2", 'INTERVAL must be a whole number from 1 to 999, got "-2"'],
    ["FREQ=DAILY;COUNT=2;UNTIL=20250101", "COUNT and UNTIL cannot both be set"],
    ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "This rule never produces a date"],
    ["FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "This rule never produces a date"],
    ["FREQ=WEEKLY;BYDAY=1MO", 'BYDAY with a number ("1MO") is only allowed with FREQ=MONTHLY or FREQ=YEARLY'],
    ["FREQ=MONTHLY;BYDAY=6MO", 'A month has at most 5 of each weekday: "6MO"'],
    ["FREQ=WEEKLY;BYDAY=XX", 'BYDAY expects entries such as MO, 2TU or -1FR, got "XX"'],
    ["FREQ=DAILY;FOO=1", 'Unknown rule part "FOO"'],
    ["FREQ=DAILY;FREQ=WEEKLY", "FREQ appears more than once"],
    ["FREQ=DAILY;", 'Expected KEY=VALUE parts separated by ";", got ""'],
    [
      "DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY",
      "Give only the RRULE part (no DTSTART): the task's due date is where the rule starts",
    ],
    ["FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY"],
    ["FREQ=MONTHLY;BYMONTHDAY=32", 'BYMONTHDAY values must be 1 to 31 or -31 to -1, got "32"'],
    ["FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY needs FREQ=YEARLY"],
    ["FREQ=DAILY;BYWEEKNO=1", "BYWEEKNO is not supported"],
    ["FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BY… part to pick from"],
    ["FREQ=DAILY;UNTIL=20250230", 'UNTIL is not a real date: "20250230"'],
    ["FREQ=DAILY;UNTIL=tomorrow", 'UNTIL must look like 20251231 or 20251231T235959Z, got "TOMORROW"'],
    ["FREQ=DAILY;BYHOUR=24", 'BYHOUR values must be 0 to 23, got "24"'],
    ["FREQ=DAILY;WKST=XX", 'WKST must be a weekday code (MO … SU), got "XX"'],
    [`FREQ=DAILY;${"BYHOUR=1;".repeat(60)}`, "The recurrence rule is longer than 500 characters"],
  ])("rejects %j: %s", (rule, message) => {
    expect(parseRecurrence(rule)).toEqual(Result.fail(message))
  })

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constant("FREQ=DAILY;BYDAY=,,")),
        (s) => {
          expect(() => parseRecurrence(s)).not.toThrow()
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe("the evaluator on RFC 5545 §3.8.5.3 examples (floating time)", () => {
  const occurrences = (rule: string, start: string, n: number): string[] => {
    const parsed = parseRule(rule)
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const s = fromFloatingMillis(Date.parse(`${start}Z`))
    const out: string[] = []
    let after = toFloatingMillis(s) - 1
    for (let i = 0; i < n; i++) {
      const o = nextAfter(parsed.success, s, after)
      if (o === null) break
      out.push(formatDateTime(o).slice(0, 10))
      after = toFloatingMillis(o)
    }
    return out
  }

  it.each([
    [
      "FREQ=DAILY;INTERVAL=10",
      "1997-09-02T09:00:00",
      ["1997-09-02", "1997-09-12", "1997-09-22", "1997-10-02"],
    ],
    [
      "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,TH",
      "1997-09-02T09:00:00",
      ["1997-09-02", "1997-09-04", "1997-09-16", "1997-09-18", "1997-09-30"],
    ],
    [
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO",
      "1997-08-05T09:00:00",
      ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"],
    ],
    [
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
      "1997-08-05T09:00:00",
      ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"],
    ],
    [
      "FREQ=MONTHLY;BYDAY=1FR",
      "1997-09-05T09:00:00",
      ["1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05"],
    ],
    [
      "FREQ=MONTHLY;INTERVAL=2;BYDAY=1SU,-1SU",
      "1997-09-07T09:00:00",
      ["1997-09-07", "1997-09-28", "1997-11-02", "1997-11-30"],
    ],
    [
      "FREQ=MONTHLY;BYMONTHDAY=-3",
      "1997-09-28T09:00:00",
      ["1997-09-28", "1997-10-29", "1997-11-28", "1997-12-29"],
    ],
    [
      "FREQ=MONTHLY;BYMONTHDAY=1,-1",
      "1997-09-30T09:00:00",
      ["1997-09-30", "1997-10-01", "1997-10-31", "1997-11-01"],
    ],
    [
      "FREQ=YEARLY;INTERVAL=3;BYYEARDAY=1,100,200",
      "1997-01-01T09:00:00",
      ["1997-01-01", "1997-04-10", "1997-07-19", "2000-01-01", "2000-04-09", "2000-07-18"],
    ],
    ["FREQ=YEARLY;BYDAY=20MO", "1997-05-19T09:00:00", ["1997-05-19", "1998-05-18", "1999-05-17"]],
    [
      "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
      "1997-03-13T09:00:00",
      ["1997-03-13", "1997-03-20", "1997-03-27", "1998-03-05"],
    ],
    [
      "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
      "1997-09-02T09:00:00",
      ["1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13"],
    ],
    [
      "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
      "1996-11-05T09:00:00",
      ["1996-11-05", "2000-11-07", "2004-11-02"],
    ],
    [
      "FREQ=MONTHLY;BYDAY=TU,WE,TH;BYSETPOS=3",
      "1997-09-04T09:00:00",
      ["1997-09-04", "1997-10-07", "1997-11-06"],
    ],
    [
      "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
      "1997-09-29T09:00:00",
      ["1997-09-29", "1997-10-30", "1997-11-27", "1997-12-30"],
    ],
    [
      "FREQ=MONTHLY;BYMONTHDAY=15,30",
      "2007-01-15T09:00:00",
      ["2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30"],
    ],
    // RFC 5545: invalid dates are skipped, not moved
    [
      "FREQ=MONTHLY;BYMONTHDAY=31",
      "2025-01-31T09:00:00",
      ["2025-01-31", "2025-03-31", "2025-05-31", "2025-07-31", "2025-08-31"],
    ],
    ["FREQ=YEARLY", "2024-02-29T09:00:00", ["2024-02-29", "2028-02-29", "2032-02-29"]],
    ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "2000-01-01T09:00:00", ["2016-02-29", "2044-02-29"]],
  ])("%s from %s", (rule, start, expected) => {
    expect(occurrences(rule, start, expected.length)).toEqual(expected)
  })

  it("keeps the start's time of day and uses BYHOUR/BYMINUTE when given", () => {
    const parsed = parseRule("FREQ=DAILY;BYHOUR=9,17;BYMINUTE=30")
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse("2025-01-01T12:00:00Z"))
    const first = nextAfter(parsed.success, start, toFloatingMillis(start))
    expect(first === null ? null : formatDateTime(first)).toBe("2025-01-01T17:30:00")
  })

  it("gives up on impossible rules quickly", () => {
    const parsed = parseRule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse("2025-01-01T09:00:00Z"))
    const t0 = performance.now()
    expect(nextAfter(parsed.success, start, toFloatingMillis(start))).toBeNull()
    expect(performance.now() - t0).toBeLessThan(1500)
  })
})

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
        const parsed = parseRecurrence(c.rule.text)
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
        expect(Result.isSuccess(parseRecurrence(result.rule))).toBe(true)
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
