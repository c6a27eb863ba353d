import { toLocal } from "@todo/calendar"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  isOverdue,
  overdueMessage,
  overdueSuggestion,
  proposeNewDueDate,
} from "../../src/decisions/Overdue.ts"

describe("isOverdue", () => {
  const now = "2025-11-24T10:00:00Z"
  it.each([
    [{ completed: false, dueDate: "2025-11-24T09:59:59.999Z" }, true],
    [{ completed: false, dueDate: "2025-11-24T10:00:00.000Z" }, false],
    [{ completed: false, dueDate: "2025-11-25T08:00:00.000Z" }, false],
    [{ completed: true, dueDate: "2025-11-20T08:00:00.000Z" }, false],
    [{ completed: false, dueDate: null }, false],
  ])("%j → %s", (task, expected) => {
    expect(isOverdue(task, now)).toBe(expected)
  })

  it("accepts a Date or epoch millis for now", () => {
    expect(isOverdue({ completed: false, dueDate: "2025-11-24T09:00:00Z" }, new Date(now))).toBe(true)
    expect(isOverdue({ completed: false, dueDate: "2025-11-24T09:00:00Z" }, Date.parse(now))).toBe(true)
  })
})

describe("proposeNewDueDate", () => {
  it.each([
    // [case, zone, old due date, now, proposal]
    [
      "Tuesday → Wednesday",
      "Europe/Berlin",
      "2025-11-24T08:00:00Z",
      "2025-11-25T10:00:00Z",
      "2025-11-26T08:00:00.000Z",
    ],
    [
      "Friday evening → Monday",
      "Europe/Berlin",
      "2025-11-28T08:00:00Z",
      "2025-11-28T19:00:00Z",
      "2025-12-01T08:00:00.000Z",
    ],
    [
      "Saturday → Monday",
      "Europe/Berlin",
      "2025-11-28T08:00:00Z",
      "2025-11-29T10:00:00Z",
      "2025-12-01T08:00:00.000Z",
    ],
    [
      "Sunday → Monday",
      "Europe/Berlin",
      "2025-11-28T08:00:00Z",
      "2025-11-30T22:30:00Z",
      "2025-12-01T08:00:00.000Z",
    ],
    [
      "end of month",
      "Europe/Berlin",
      "2025-07-30T07:00:00Z",
      "2025-07-31T10:00:00Z",
      "2025-08-01T07:00:00.000Z",
    ],
    [
      "end of year",
      "Europe/Berlin",
      "2025-12-30T08:00:00Z",
      "2025-12-31T10:00:00Z",
      "2026-01-01T08:00:00.000Z",
    ],
    [
      "end of year on a Friday",
      "America/New_York",
      "2026-12-30T14:00:00Z",
      "2027-01-01T15:00:00Z",
      "2027-01-04T14:00:00.000Z",
    ],
    // DST weeks: 09:00 stays 09:00
    [
      "Berlin spring forward weekend",
      "Europe/Berlin",
      "2025-03-28T08:00:00Z",
      "2025-03-29T10:00:00Z",
      "2025-03-31T07:00:00.000Z",
    ],
    [
      "Berlin fall back weekend",
      "Europe/Berlin",
      "2025-10-24T07:00:00Z",
      "2025-10-24T18:00:00Z",
      "2025-10-27T08:00:00.000Z",
    ],
    [
      "New York spring forward",
      "America/New_York",
      "2025-03-07T14:00:00Z",
      "2025-03-08T15:00:00Z",
      "2025-03-10T13:00:00.000Z",
    ],
    [
      "New York fall back",
      "America/New_York",
      "2025-10-31T13:00:00Z",
      "2025-11-01T15:00:00Z",
      "2025-11-03T14:00:00.000Z",
    ],
    [
      "Sydney spring forward",
      "Australia/Sydney",
      "2025-10-02T23:00:00Z",
      "2025-10-03T23:30:00Z",
      "2025-10-05T22:00:00.000Z",
    ],
    // "today" in the user's zone differs from UTC
    [
      "Kolkata: already Tuesday there",
      "Asia/Kolkata",
      "2025-11-24T03:30:00Z",
      "2025-11-24T20:00:00Z",
      "2025-11-26T03:30:00.000Z",
    ],
    [
      "New York: still Monday there",
      "America/New_York",
      "2025-11-24T14:00:00Z",
      "2025-11-25T03:00:00Z",
      "2025-11-25T14:00:00.000Z",
    ],
    // due Fri 28 Nov 10:00 (+13:45); now is 00:45 on Saturday there → Monday 1 Dec 10:00
    [
      "Chatham: already Saturday there",
      "Pacific/Chatham",
      "2025-11-27T20:15:00Z",
      "2025-11-28T11:00:00Z",
      "2025-11-30T20:15:00.000Z",
    ],
    ["UTC", "UTC", "2025-11-24T23:59:00Z", "2025-11-25T00:00:00Z", "2025-11-26T23:59:00.000Z"],
  ])("%s", (_name, tz, due, now, expected) => {
    expect(proposeNewDueDate(due, tz, now)).toBe(expected)
  })

  const zones = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
  ]
  it("is a working day strictly after today, at the old local time when that exists", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }),
        fc.integer({ min: 1, max: 60 * 24 * 60 }),
        (tz, dueMinutes, lateMinutes) => {
          const due = dueMinutes * 60_000
          const now = due + lateMinutes * 60_000
          const proposal = proposeNewDueDate(due, tz, now)
          const p = toLocal(proposal, tz)
          const today = toLocal(now, tz)
          const d = toLocal(due, tz)
          expect(Date.parse(proposal)).toBeGreaterThan(now)
          const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()
          expect(weekday).toBeGreaterThanOrEqual(1)
          expect(weekday).toBeLessThanOrEqual(5)
          const dayIndex = (x: { year: number; month: number; day: number }) =>
            Date.UTC(x.year, x.month - 1, x.day) / 86_400_000
          const gap = dayIndex(p) - dayIndex(today)
          expect(gap).toBeGreaterThanOrEqual(1)
          expect(gap).toBeLessThanOrEqual(3)
          // only the weekend is skipped
          for (let k = 1; k < gap; k++) {
            const skipped = new Date((dayIndex(today) + k) * 86_400_000).getUTCDay()
            expect(skipped === 0 || skipped === 6).toBe(true)
          }
          expect([p.hour, p.minute]).toEqual([d.hour, d.minute])
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe("overdueMessage", () => {
  it("says when it was due and where it would move, in the user's zone", () => {
    // Tuesday 24 Nov 2026, 09:00 in Berlin
    const due = "2026-11-24T08:00:00Z"
    const now = "2026-11-24T10:00:00Z"
    const proposed = proposeNewDueDate(due, "Europe/Berlin", now)
    expect(
      overdueMessage({
        title: "Pay rent",
        dueDate: due,
        proposedDueDate: proposed,
        timezone: "Europe/Berlin",
        now,
      }),
    ).toBe("'Pay rent' was due Tue 24 Nov 09:00; move it to Wed 25 Nov 09:00?")
  })

  it("shows the year when it differs from now's", () => {
    expect(
      overdueMessage({
        title: "File taxes",
        dueDate: "2025-12-31T08:00:00Z",
        proposedDueDate: "2026-01-05T08:00:00Z",
        timezone: "Europe/Berlin",
        now: "2026-01-02T10:00:00Z",
      }),
    ).toBe("'File taxes' was due Wed 31 Dec 2025 09:00; move it to Mon 5 Jan 09:00?")
    // without now, the proposal's year is the reference
    expect(
      overdueMessage({
        title: "File taxes",
        dueDate: "2025-12-31T08:00:00Z",
        proposedDueDate: "2026-01-05T08:00:00Z",
        timezone: "Europe/Berlin",
      }),
    ).toBe("'File taxes' was due Wed 31 Dec 2025 09:00; move it to Mon 5 Jan 09:00?")
  })

  it("collapses whitespace and shortens long titles", () => {
    const message = overdueMessage({
      title: `  Read   ${"very ".repeat(20)}long   `,
      dueDate: "2025-11-24T08:00:00Z",
      proposedDueDate: "2025-11-25T08:00:00Z",
      timezone: "UTC",
      now: "2025-11-24T10:00:00Z",
    })
    expect(message).toBe(
      "'Read very very very very very very very very very very very…' was due Mon 24 Nov 08:00; move it to Tue 25 Nov 08:00?",
    )
  })
})

describe("overdueSuggestion", () => {
  it("combines the decision, the proposal and the message", () => {
    expect(
      overdueSuggestion(
        { title: "Pay rent", completed: false, dueDate: "2025-11-28T08:00:00.000Z" },
        "Europe/Berlin",
        "2025-11-28T19:00:00Z",
      ),
    ).toEqual({
      dueDate: "2025-12-01T08:00:00.000Z",
      message: "'Pay rent' was due Fri 28 Nov 09:00; move it to Mon 1 Dec 09:00?",
    })
    expect(
      overdueSuggestion(
        { title: "x", completed: true, dueDate: "2025-11-20T08:00:00.000Z" },
        "UTC",
        "2025-11-28T19:00:00Z",
      ),
    ).toBeNull()
  })
})
