import type { Priority } from "@todo/contracts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  PRIORITIES,
  type PriorityInput,
  priorityFromScore,
  scorePriority,
  shouldSuggest,
  USER_PRIORITY_RESPECTED_MS,
  userSetPriorityRecently,
} from "../../src/decisions/Prioritization.ts"

// Monday 24 Nov 2025, 11:00 in Berlin
const NOW = "2025-11-24T10:00:00Z"
const base: PriorityInput = {
  priority: "medium",
  dueDate: null,
  createdAt: NOW,
  now: NOW,
  timezone: "Europe/Berlin",
  competingTasksSameDay: 0,
}

describe("scorePriority", () => {
  it.each([
    // [case, input overrides, suggested, score, reason]
    ["no due date, new", {}, "medium", 0, "No due date: keep medium."],
    [
      "due tomorrow with 4 competing tasks",
      { dueDate: "2025-11-25T08:00:00Z", competingTasksSameDay: 4 },
      "high",
      61,
      "Due tomorrow and 4 other tasks compete for that day: raise to high?",
    ],
    ["due tomorrow alone", { dueDate: "2025-11-25T08:00:00Z" }, "medium", 45, "Due tomorrow: keep medium."],
    // due today on its own is not enough (55 < 58); one competing task is
    ["due today", { dueDate: "2025-11-24T16:00:00Z" }, "medium", 55, "Due today: keep medium."],
    [
      "due today with 1 competitor",
      { dueDate: "2025-11-24T16:00:00Z", competingTasksSameDay: 1 },
      "high",
      59,
      "Due today and 1 other task competes for that day: raise to high?",
    ],
    [
      "due today, crowded",
      { dueDate: "2025-11-24T16:00:00Z", competingTasksSameDay: 6 },
      "high",
      75,
      "Due today and 6 other tasks compete for that day: raise to high?",
    ],
    [
      "due today, crowded and old",
      { dueDate: "2025-11-24T16:00:00Z", competingTasksSameDay: 6, createdAt: "2025-09-20T10:00:00Z" },
      "urgent",
      84,
      "Due today and 6 other tasks compete for that day, open for 9 weeks: raise to urgent?",
    ],
    [
      "overdue since this morning",
      { dueDate: "2025-11-24T08:00:00Z" },
      "high",
      68,
      "Overdue since earlier today: raise to high?",
    ],
    [
      "overdue by 5 days",
      { dueDate: "2025-11-19T08:00:00Z" },
      "urgent",
      83,
      "Overdue by 5 days: raise to urgent?",
    ],
    [
      "overdue by 1 day, already urgent",
      { dueDate: "2025-11-23T08:00:00Z", priority: "urgent" },
      "urgent",
      71,
      "Overdue by 1 day: keep urgent.",
    ],
    [
      "due in 3 days with 1 competitor",
      { dueDate: "2025-11-27T08:00:00Z", competingTasksSameDay: 1 },
      "medium",
      34,
      "Due in 3 days and 1 other task competes for that day: keep medium.",
    ],
    [
      "due in 3 weeks, urgent → medium",
      { dueDate: "2025-12-15T08:00:00Z", priority: "urgent" },
      "medium",
      12,
      "Due in 3 weeks: lower to medium?",
    ],
    [
      "far away, low stays low",
      { dueDate: "2026-03-01T08:00:00Z", priority: "low" },
      "low",
      5,
      "Due in 13 weeks: keep low.",
    ],
    ["no due date, high → medium", { priority: "high" }, "medium", 0, "No due date: lower to medium?"],
    [
      "no due date, low is never lowered further or raised by age alone",
      { priority: "low", createdAt: "2024-01-01T00:00:00Z" },
      "low",
      10,
      "No due date, open for 99 weeks: keep low.",
    ],
    // "tomorrow" is the user's tomorrow: 23:30 UTC on Monday is already Tuesday in Berlin
    [
      "local day, not UTC day",
      { dueDate: "2025-11-25T23:30:00Z" },
      "medium",
      30,
      "Due in 2 days: keep medium.",
    ],
  ] as const)("%s", (_name, overrides, suggested, score, reason) => {
    const result = scorePriority({ ...base, ...overrides })
    expect({ suggested: result.suggested, score: result.score, reason: result.reason }).toEqual({
      suggested,
      score,
      reason,
    })
  })

  it("counts days in the user's zone across DST", () => {
    // Saturday 29 Mar 2025 12:00 Berlin; Monday 09:00 CEST is two local days ahead despite the 23-hour Sunday
    const r = scorePriority({ ...base, now: "2025-03-29T11:00:00Z", dueDate: "2025-03-31T07:00:00Z" })
    expect(r.reason).toBe("Due in 2 days: keep medium.")
  })
})

describe("shouldSuggest (hysteresis)", () => {
  it.each([
    ["medium", "high", 58, undefined, true],
    ["medium", "high", 57, undefined, false],
    ["medium", "urgent", 83, undefined, true],
    ["medium", "urgent", 82, undefined, false],
    ["high", "high", 90, undefined, false],
    ["high", "medium", 42, "later", true],
    ["high", "medium", 43, "later", false],
    ["high", "medium", 10, "tomorrow", false],
    ["urgent", "medium", 40, "none", true],
    ["urgent", "high", 67, "none", true],
    ["medium", "low", 0, "none", false],
    ["high", "low", 0, "none", false],
  ] as const)("%s → %s at %i (%s): %s", (current, suggested, score, proximity, expected) => {
    expect(shouldSuggest(current, { suggested, score, proximity })).toBe(expected)
  })

  it("maps scores to levels", () => {
    expect([0, 24, 25, 49, 50, 74, 75, 100].map(priorityFromScore)).toEqual([
      "low",
      "low",
      "medium",
      "medium",
      "high",
      "high",
      "urgent",
      "urgent",
    ])
  })
})

describe("properties", () => {
  const nowMs = Date.parse(NOW)
  const zone = fc.constantFrom("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Pacific/Chatham")
  const priority = fc.constantFrom<Priority>(...PRIORITIES)
  const offset = fc.integer({ min: -40 * 24 * 60, max: 80 * 24 * 60 }) // due date relative to now, minutes
  const input = fc.record({
    priority,
    timezone: zone,
    competingTasksSameDay: fc.integer({ min: 0, max: 12 }),
    ageDays: fc.integer({ min: 0, max: 400 }),
  })
  interface Case {
    readonly priority: Priority
    readonly timezone: string
    readonly competingTasksSameDay: number
    readonly ageDays: number
  }
  const build = (i: Case, dueOffset: number | null): PriorityInput => ({
    priority: i.priority,
    timezone: i.timezone,
    competingTasksSameDay: i.competingTasksSameDay,
    createdAt: nowMs - i.ageDays * 86_400_000,
    now: nowMs,
    dueDate: dueOffset === null ? null : nowMs + dueOffset * 60_000,
  })
  const rank = (p: Priority) => PRIORITIES.indexOf(p)

  it("a closer (earlier) due date never lowers the score or the suggested priority", () => {
    fc.assert(
      fc.property(input, offset, offset, (i, a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a]
        const e = scorePriority(build(i, early))
        const l = scorePriority(build(i, late))
        expect(e.score).toBeGreaterThanOrEqual(l.score)
        expect(rank(e.suggested)).toBeGreaterThanOrEqual(rank(l.suggested))
        // and any due date ranks at least as high as none
        const none = scorePriority(build(i, null))
        expect(l.score).toBeGreaterThanOrEqual(none.score)
        expect(rank(l.suggested)).toBeGreaterThanOrEqual(rank(none.suggested))
      }),
      { numRuns: 400 },
    )
  })

  it("more competition never lowers the suggestion", () => {
    fc.assert(
      fc.property(input, offset, fc.integer({ min: 0, max: 5 }), (i, due, extra) => {
        const a = scorePriority(build(i, due))
        const b = scorePriority(build({ ...i, competingTasksSameDay: i.competingTasksSameDay + extra }, due))
        expect(b.score).toBeGreaterThanOrEqual(a.score)
        expect(rank(b.suggested)).toBeGreaterThanOrEqual(rank(a.suggested))
      }),
      { numRuns: 300 },
    )
  })

  it("suggestions are stable: once accepted, the same signals (or a slightly weaker/stronger one) suggest no change back", () => {
    fc.assert(
      fc.property(input, offset, fc.integer({ min: -1, max: 1 }), (i, due, nudge) => {
        const first = scorePriority(build(i, due))
        expect(shouldSuggest(i.priority, first)).toBe(first.suggested !== i.priority)
        const accepted = { ...i, priority: first.suggested }
        const again = scorePriority(build(accepted, due))
        expect(again.suggested).toBe(first.suggested)
        // one more or one less competing task cannot flip it back
        const nudged = scorePriority(
          build({ ...accepted, competingTasksSameDay: Math.max(0, i.competingTasksSameDay + nudge) }, due),
        )
        if (first.suggested !== i.priority) {
          const back = rank(nudged.suggested) - rank(first.suggested)
          expect(Math.sign(back)).not.toBe(Math.sign(rank(i.priority) - rank(first.suggested)))
        }
      }),
      { numRuns: 300 },
    )
  })

  it("the score stays within 0–100 and the reason is one sentence ending in ? or .", () => {
    fc.assert(
      fc.property(input, fc.option(offset), (i, due) => {
        const r = scorePriority(build(i, due))
        expect(r.score).toBeGreaterThanOrEqual(0)
        expect(r.score).toBeLessThanOrEqual(100)
        expect(r.reason).toMatch(/^[A-Z][^\n]*[?.]$/)
      }),
      { numRuns: 200 },
    )
  })
})

describe("userSetPriorityRecently: the user's explicit choice is left alone for a day", () => {
  const now = "2025-11-24T10:00:00Z"
  it.each([
    ["never set", null, false],
    ["set a moment ago", "2025-11-24T09:59:59Z", true],
    ["set 23h59m ago", "2025-11-23T10:00:01Z", true],
    ["set exactly 24h ago", "2025-11-23T10:00:00Z", false],
    ["set two days ago", "2025-11-22T10:00:00Z", false],
    ["set ahead of this clock (another machine's)", "2025-11-24T10:05:00Z", true],
  ] as const)("%s → %s", (_, setAt, expected) => {
    expect(userSetPriorityRecently(setAt, now)).toBe(expected)
  })

  it("holds for any instant within the day before now, and none outside it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 86_400_000 }), (ago) => {
        const setAt = new Date(Date.parse(now) - ago).toISOString()
        expect(userSetPriorityRecently(setAt, now)).toBe(ago < USER_PRIORITY_RESPECTED_MS)
      }),
    )
  })
})
