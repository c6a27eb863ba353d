import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatDateTime, fromFloatingMillis, toFloatingMillis } from "../src/Calendar.ts"
import { rruleArbitrary } from "@todo/testkit/rrule-arbitrary"
import { nextAfter, parseRule, validateRule } from "../src/RRule.ts"
import { RULE_WORK_BUDGET, WorkBudget, WorkBudgetExceeded } from "../src/WorkBudget.ts"

describe("validateRule", () => {
  it("accepts a daily rule every whole number of weeks on a weekday, which only some starts can reach", () => {
    expect(Result.isSuccess(validateRule("FREQ=DAILY;INTERVAL=7;BYDAY=MO"))).toBe(true)
    expect(Result.isSuccess(validateRule("FREQ=DAILY;INTERVAL=14;BYDAY=WE"))).toBe(true)
    expect(validateRule("FREQ=DAILY;INTERVAL=7;BYDAY=MO;BYMONTHDAY=30;BYMONTH=2")).toEqual(
      Result.fail("This rule never produces a date"),
    )
  })

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
    expect(Result.isSuccess(validateRule(rule))).toBe(true)
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
    expect(validateRule(rule)).toEqual(Result.fail(message))
  })

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constant("FREQ=DAILY;BYDAY=,,")),
        (s) => {
          expect(() => validateRule(s)).not.toThrow()
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
    const parsed = parseRule("FREQ=DAILY;BYHOUR=17;BYMINUTE=30")
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse("2025-01-01T12:00:00Z"))
    const first = nextAfter(parsed.success, start, toFloatingMillis(start))
    expect(first === null ? null : formatDateTime(first)).toBe("2025-01-01T17:30:00")
    const second = first === null ? null : nextAfter(parsed.success, start, toFloatingMillis(first))
    expect(second === null ? null : formatDateTime(second)).toBe("2025-01-02T17:30:00")
  })
})

const CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).join(",")
/** The finding's rule: every weekday, hour, minute and second (464 characters). */
const EVERY_SECOND = `FREQ=YEARLY;BYDAY=${CODES.join(",")};BYHOUR=${range(0, 23)};BYMINUTE=${range(0, 59)};BYSECOND=${range(0, 59)}`

/**
 * Steps one search may take at most: a walk over 400 years of days with a step per day and per month, or a step per
 * period plus its days and candidates. Measured maximum over the generated rules below: see the property's log.
 */
const SEARCH_STEP_BOUND = 400_000

describe("a task repeats at most once a day, on the expanded rule", () => {
  it.each([
    [EVERY_SECOND, 86_400],
    ["FREQ=DAILY;BYHOUR=9,17", 2],
    ["FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30", 2],
    ["FREQ=MONTHLY;BYHOUR=9,10;BYMINUTE=0,15;BYSECOND=0,1", 8],
  ])("rejects %s (%i times a day)", (rule, times) => {
    expect(validateRule(rule)).toEqual(
      Result.fail(
        `A task repeats at most once a day, and this rule gives ${times} times a day: BYHOUR, BYMINUTE and BYSECOND may each have one value`,
      ),
    )
  })

  it("accepts one time of day given by BYHOUR, BYMINUTE and BYSECOND", () => {
    expect(Result.isSuccess(validateRule("FREQ=DAILY;BYHOUR=9;BYMINUTE=30;BYSECOND=15"))).toBe(true)
  })
})

describe("bounded work: a fixed budget of steps, never a wall-clock limit", () => {
  it("a rule that never produces a date is rejected after a bounded number of steps", () => {
    for (const rule of [
      "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
      "FREQ=DAILY;BYSETPOS=1;BYMONTH=2;BYMONTHDAY=30",
      "FREQ=WEEKLY;BYSETPOS=2;BYDAY=MO",
      `FREQ=YEARLY;BYYEARDAY=${range(1, 59)};BYMONTH=12`,
      `FREQ=MONTHLY;BYMONTHDAY=${range(1, 31)};BYDAY=MO;BYSETPOS=-366`,
    ]) {
      const budget = new WorkBudget(RULE_WORK_BUDGET)
      expect(validateRule(rule, budget), rule).toEqual(Result.fail("This rule never produces a date"))
      expect(budget.spent, rule).toBeLessThanOrEqual(SEARCH_STEP_BOUND)
    }
  })

  it("answers with a sentence instead of computing on when the budget runs out", () => {
    const budget = new WorkBudget(1_000)
    expect(validateRule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", budget)).toEqual(
      Result.fail("This rule takes too much work to evaluate (more than 1000 calendar steps): simplify it"),
    )
    expect(budget.spent).toBeLessThanOrEqual(1_000 + 32)
  })

  it("a search charges the caller's budget and throws WorkBudgetExceeded when it runs out", () => {
    const parsed = parseRule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse("2000-01-01T09:00:00Z"))
    const budget = new WorkBudget(RULE_WORK_BUDGET)
    const found = nextAfter(parsed.success, start, toFloatingMillis(start), { budget })
    expect(found === null ? null : formatDateTime(found)).toBe("2016-02-29T09:00:00")
    expect(budget.spent).toBeGreaterThan(0)
    expect(() =>
      nextAfter(parsed.success, start, toFloatingMillis(start), { budget: new WorkBudget(10) }),
    ).toThrow(WorkBudgetExceeded)
  })

  it("keeps no more than one period's candidates (BYSETPOS) in memory: the 86 400-a-day rule never expands", () => {
    // With one time a day, a period has at most 366 candidates; the rule above is refused before any expansion.
    const budget = new WorkBudget(RULE_WORK_BUDGET)
    expect(Result.isFailure(validateRule(EVERY_SECOND, budget))).toBe(true)
    expect(budget.spent).toBe(0)
  })
})

describe("the last day: a series ends after 31 Dec 9999", () => {
  it.each([
    ["FREQ=YEARLY", "9999-12-31T09:00:00Z"],
    ["FREQ=DAILY", "9999-12-31T09:00:00Z"],
    ["FREQ=MONTHLY;BYMONTHDAY=-1", "9999-12-31T00:00:00Z"],
    ["FREQ=WEEKLY;BYSETPOS=-1;BYDAY=MO,FR", "9999-12-31T09:00:00Z"],
  ])("%s after %s", (rule, at) => {
    const parsed = parseRule(rule)
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse(at))
    expect(nextAfter(parsed.success, start, toFloatingMillis(start))).toBeNull()
  })

  it("finds the last occurrence on 31 Dec 9999 itself", () => {
    const parsed = parseRule("FREQ=DAILY")
    if (Result.isFailure(parsed)) throw new Error(parsed.failure)
    const start = fromFloatingMillis(Date.parse("9999-12-30T09:00:00Z"))
    const found = nextAfter(parsed.success, start, toFloatingMillis(start))
    expect(found === null ? null : formatDateTime(found)).toBe("9999-12-31T09:00:00")
  })
})

describe("property: rules from the RRULE grammar", () => {
  const startArb = fc
    .integer({ min: Date.UTC(1990, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 })
    .map((minute) => fromFloatingMillis(minute * 60_000))

  it("validate and evaluate within the step bound, answer a rule or a sentence, never throw, once a day at most", () => {
    let most = 0
    fc.assert(
      fc.property(rruleArbitrary, startArb, (text, start) => {
        const budget = new WorkBudget(RULE_WORK_BUDGET)
        const verdict = validateRule(text, budget)
        most = Math.max(most, budget.spent)
        expect(budget.spent).toBeLessThanOrEqual(SEARCH_STEP_BOUND)
        if (Result.isFailure(verdict)) {
          expect(verdict.failure).toMatch(/^[A-Z].+/)
          return
        }
        const search = new WorkBudget(RULE_WORK_BUDGET)
        const first = nextAfter(verdict.success, start, toFloatingMillis(start) - 1, { budget: search })
        most = Math.max(most, search.spent)
        expect(search.spent).toBeLessThanOrEqual(SEARCH_STEP_BOUND)
        if (first === null) return
        expect(toFloatingMillis(first)).toBeGreaterThanOrEqual(toFloatingMillis(start))
        const again = new WorkBudget(RULE_WORK_BUDGET)
        const second = nextAfter(verdict.success, start, toFloatingMillis(first), { budget: again })
        expect(again.spent).toBeLessThanOrEqual(SEARCH_STEP_BOUND)
        // at most once a day: the next occurrence is on a later calendar day
        if (second !== null)
          expect(formatDateTime(second).slice(0, 10) > formatDateTime(first).slice(0, 10)).toBe(true)
      }),
      { numRuns: 600 },
    )
    console.info(`[calendar] most steps one validation or search took over the generated rules: ${most}`)
  })
})
