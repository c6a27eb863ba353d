import { QuickAddParse, Tag } from "@todo/contracts"
import { Result, Schema } from "effect"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { parseQuickAdd, type QuickAddOptions } from "../../src/tasks/QuickAdd.ts"
import { validateRule } from "@todo/calendar/RRule"

/** What quick add understood; a refusal (work budget) fails the test. */
const understand = (text: string, options: QuickAddOptions) => {
  const result = parseQuickAdd(text, options)
  if (Result.isFailure(result)) throw new Error(result.failure)
  return result.success
}

// Monday 24 Nov 2025, 11:00 in Berlin
const NOW = "2025-11-24T10:00:00Z"
const parse = (text: string, now = NOW, timezone = "Europe/Berlin") => understand(text, { now, timezone })

describe("parseQuickAdd: the examples", () => {
  it("Pay rent every month on the 1st #home !high", () => {
    expect(parse("Pay rent every month on the 1st #home !high")).toEqual({
      title: "Pay rent",
      dueDate: "2025-12-01T08:00:00.000Z",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      repeatFrom: "dueDate",
      priority: "high",
      tags: ["home"],
      recognized: [
        { kind: "recurrence", text: "every month on the 1st" },
        { kind: "tag", text: "#home" },
        { kind: "priority", text: "!high" },
      ],
    })
  })

  it("Buy milk tomorrow 9am #errands !high", () => {
    expect(parse("Buy milk tomorrow 9am #errands !high")).toEqual({
      title: "Buy milk",
      dueDate: "2025-11-25T08:00:00.000Z",
      recurrence: null,
      repeatFrom: "dueDate",
      priority: "high",
      tags: ["errands"],
      recognized: [
        { kind: "date", text: "tomorrow 9am" },
        { kind: "tag", text: "#errands" },
        { kind: "priority", text: "!high" },
      ],
    })
  })

  it("Standup every weekday at 9:30 #work", () => {
    // 11:00 on Monday: today's 09:30 has passed, so the first standup is Tuesday
    expect(parse("Standup every weekday at 9:30 #work")).toEqual({
      title: "Standup",
      dueDate: "2025-11-25T08:30:00.000Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      repeatFrom: "dueDate",
      priority: null,
      tags: ["work"],
      recognized: [
        { kind: "recurrence", text: "every weekday" },
        { kind: "date", text: "at 9:30" },
        { kind: "tag", text: "#work" },
      ],
    })
    // 08:00 on Monday: today's standup is still ahead
    expect(parse("Standup every weekday at 9:30 #work", "2025-11-24T07:00:00Z").dueDate).toBe(
      "2025-11-24T08:30:00.000Z",
    )
    // Saturday: Monday
    expect(parse("Standup every weekday at 9:30 #work", "2025-11-29T07:00:00Z").dueDate).toBe(
      "2025-12-01T08:30:00.000Z",
    )
  })

  it("Call mom on Sunday", () => {
    expect(parse("Call mom on Sunday")).toEqual({
      title: "Call mom",
      dueDate: "2025-11-30T08:00:00.000Z",
      recurrence: null,
      repeatFrom: "dueDate",
      priority: null,
      tags: [],
      recognized: [{ kind: "date", text: "on Sunday" }],
    })
  })

  it("Water plants every! 3 days", () => {
    expect(parse("Water plants every! 3 days")).toEqual({
      title: "Water plants",
      dueDate: "2025-11-25T08:00:00.000Z",
      recurrence: "FREQ=DAILY;INTERVAL=3",
      repeatFrom: "completion",
      priority: null,
      tags: [],
      recognized: [{ kind: "recurrence", text: "every! 3 days" }],
    })
  })
})

describe("parseQuickAdd: dates and times", () => {
  it.each([
    // text, now, zone, title, dueDate
    ["Report next friday", NOW, "Europe/Berlin", "Report", "2025-12-05T08:00:00.000Z"],
    ["Meeting on Dec 3 at 14:30", NOW, "Europe/Berlin", "Meeting", "2025-12-03T13:30:00.000Z"],
    ["Check oven in 2 hours", NOW, "Europe/Berlin", "Check oven", "2025-11-24T12:00:00.000Z"],
    ["Party tonight", NOW, "Europe/Berlin", "Party", "2025-11-24T19:00:00.000Z"],
    ["Pick up kids this afternoon", NOW, "Europe/Berlin", "Pick up kids", "2025-11-24T14:00:00.000Z"],
    ["Lunch with Sam friday noon", NOW, "Europe/Berlin", "Lunch with Sam", "2025-11-28T11:00:00.000Z"],
    ["Submit report by friday 5pm", NOW, "Europe/Berlin", "Submit report", "2025-11-28T16:00:00.000Z"],
    ["Meeting at 5", NOW, "Europe/Berlin", "Meeting", "2025-11-24T16:00:00.000Z"],
    ["Run at 05:30", NOW, "Europe/Berlin", "Run", "2025-11-25T04:30:00.000Z"],
    ["Dentist 2025-12-01 14:00", NOW, "Europe/Berlin", "Dentist", "2025-12-01T13:00:00.000Z"],
    ["Taxes Dec 3", NOW, "Europe/Berlin", "Taxes", "2025-12-03T08:00:00.000Z"],
    ["Call at 9am EST", NOW, "Europe/Berlin", "Call", "2025-11-24T14:00:00.000Z"],
    ["Buy milk, tomorrow", NOW, "Europe/Berlin", "Buy milk", "2025-11-25T08:00:00.000Z"],
    // a date-only "today" whose 09:00 has passed: by the end of the day
    ["Buy milk today", NOW, "Europe/Berlin", "Buy milk", "2025-11-24T22:59:00.000Z"],
    ["Buy milk today", "2025-11-24T06:00:00Z", "Europe/Berlin", "Buy milk", "2025-11-24T08:00:00.000Z"],
    // other zones: "tomorrow" is the user's tomorrow
    ["Pay tomorrow 9am", NOW, "America/New_York", "Pay", "2025-11-25T14:00:00.000Z"],
    ["Pay tomorrow", "2025-11-24T20:00:00Z", "Asia/Kolkata", "Pay", "2025-11-26T03:30:00.000Z"],
    // 23:45 on Monday in Chatham (+13:45): tomorrow is Tuesday there
    ["Pay tomorrow", NOW, "Pacific/Chatham", "Pay", "2025-11-24T19:15:00.000Z"],
    // DST: "tomorrow 9am" the day before spring-forward is 09:00 CEST; "in 2 hours" across the gap is 2 real hours
    ["Pay tomorrow 9am", "2025-03-29T10:00:00Z", "Europe/Berlin", "Pay", "2025-03-30T07:00:00.000Z"],
    ["Check in 2 hours", "2025-03-30T00:30:00Z", "Europe/Berlin", "Check", "2025-03-30T02:30:00.000Z"],
    ["Pay tomorrow 9am", "2025-11-01T15:00:00Z", "America/New_York", "Pay", "2025-11-02T14:00:00.000Z"],
    // an unknown zone falls back to UTC
    ["Pay tomorrow 9am", NOW, "Mars/Base", "Pay", "2025-11-25T09:00:00.000Z"],
  ])("%s (now %s, %s)", (text, now, tz, title, dueDate) => {
    const result = parse(text, now, tz)
    expect({ title: result.title, dueDate: result.dueDate }).toEqual({ title, dueDate })
  })

  it.each([
    "Buy 2 weeks of food",
    "Read the sun book",
    "Fix the second bug",
    "Weekly report",
    "Call 911",
    "Update v2.0",
    "Do it now",
  ])("takes no date from %j", (text) => {
    expect(parse(text)).toMatchObject({ title: text, dueDate: null, recurrence: null, recognized: [] })
  })

  describe("does not depend on the process time zone", () => {
    const saved = process.env.TZ
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    })
    it.each(["America/Los_Angeles", "Asia/Tokyo", "UTC"])("TZ=%s", (tz) => {
      process.env.TZ = tz
      expect(parse("Buy milk tomorrow 9am").dueDate).toBe("2025-11-25T08:00:00.000Z")
      expect(parse("Call mom on Sunday").dueDate).toBe("2025-11-30T08:00:00.000Z")
      expect(parse("Check oven in 2 hours").dueDate).toBe("2025-11-24T12:00:00.000Z")
      expect(parse("Pay tomorrow", "2025-11-24T20:00:00Z", "Asia/Kolkata").dueDate).toBe(
        "2025-11-26T03:30:00.000Z",
      )
    })
  })
})

describe("parseQuickAdd: recurrences", () => {
  it.each([
    // text, title, recurrence, repeatFrom, first due date
    ["Jog every day", "Jog", "FREQ=DAILY", "dueDate", "2025-11-25T08:00:00.000Z"],
    ["Every day at 7am jog", "jog", "FREQ=DAILY", "dueDate", "2025-11-25T06:00:00.000Z"],
    [
      "Gym every monday and thursday",
      "Gym",
      "FREQ=WEEKLY;BYDAY=MO,TH",
      "dueDate",
      "2025-11-27T08:00:00.000Z",
    ],
    [
      "Gym every Mon, Wed & Fri 6pm",
      "Gym",
      "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      "dueDate",
      "2025-11-24T17:00:00.000Z",
    ],
    ["Review every 2 weeks", "Review", "FREQ=WEEKLY;INTERVAL=2", "dueDate", "2025-11-25T08:00:00.000Z"],
    ["Review every other week", "Review", "FREQ=WEEKLY;INTERVAL=2", "dueDate", "2025-11-25T08:00:00.000Z"],
    [
      "Review every 2 weeks on mon, thu",
      "Review",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
      "dueDate",
      "2025-11-27T08:00:00.000Z",
    ],
    [
      "Bills every month on the 31st",
      "Bills",
      "FREQ=MONTHLY;BYMONTHDAY=31",
      "dueDate",
      "2025-12-31T08:00:00.000Z",
    ],
    [
      "Bills every month on the 1st and 15th",
      "Bills",
      "FREQ=MONTHLY;BYMONTHDAY=1,15",
      "dueDate",
      "2025-12-01T08:00:00.000Z",
    ],
    [
      "Rent every month on the last day",
      "Rent",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
      "dueDate",
      "2025-11-30T08:00:00.000Z",
    ],
    [
      "Bills every month on the 15th and last day",
      "Bills",
      "FREQ=MONTHLY;BYMONTHDAY=15,-1",
      "dueDate",
      "2025-11-30T08:00:00.000Z",
    ],
    [
      "Pay every last friday of the month",
      "Pay",
      "FREQ=MONTHLY;BYDAY=-1FR",
      "dueDate",
      "2025-11-28T08:00:00.000Z",
    ],
    [
      "Club every month on the 2nd tuesday",
      "Club",
      "FREQ=MONTHLY;BYDAY=2TU",
      "dueDate",
      "2025-12-09T08:00:00.000Z",
    ],
    [
      "Mail every 15th of the month",
      "Mail",
      "FREQ=MONTHLY;BYMONTHDAY=15",
      "dueDate",
      "2025-12-15T08:00:00.000Z",
    ],
    ["Birthday every year", "Birthday", "FREQ=YEARLY", "dueDate", "2025-11-25T08:00:00.000Z"],
    [
      "Taxes every year on apr 15",
      "Taxes",
      "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=15",
      "dueDate",
      "2026-04-15T07:00:00.000Z",
    ],
    [
      "Gifts every dec 25",
      "Gifts",
      "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
      "dueDate",
      "2025-12-25T08:00:00.000Z",
    ],
    ["Relax every weekend", "Relax", "FREQ=WEEKLY;BYDAY=SA,SU", "dueDate", "2025-11-29T08:00:00.000Z"],
    ["Gym every monday starting dec 8", "Gym", "FREQ=WEEKLY;BYDAY=MO", "dueDate", "2025-12-08T08:00:00.000Z"],
    [
      "Water plants EVERY! 3 DAYS",
      "Water plants",
      "FREQ=DAILY;INTERVAL=3",
      "completion",
      "2025-11-25T08:00:00.000Z",
    ],
    ["Stretch every! week", "Stretch", "FREQ=WEEKLY", "completion", "2025-11-25T08:00:00.000Z"],
  ])("%s", (text, title, recurrence, repeatFrom, dueDate) => {
    expect(parse(text)).toMatchObject({ title, recurrence, repeatFrom, dueDate })
  })

  it("is not fooled by 'every' without a rule", () => {
    expect(parse("Read every book")).toMatchObject({ title: "Read every book", recurrence: null })
    expect(parse("everyday carry")).toMatchObject({ title: "everyday carry", recurrence: null })
    expect(parse("every dayton trip")).toMatchObject({ recurrence: null })
  })
})

describe("parseQuickAdd: tags, priority and title", () => {
  it.each([
    ["Plan #Work #work #HOME trip", "Plan trip", ["work", "home"], null],
    ["#home: clean", "clean", ["home"], null],
    ["Fix bug #123 p2 P3", "Fix bug", ["123"], "medium"],
    ["Ship it !urgent", "Ship it", [], "urgent"],
    ["Ship it !1", "Ship it", [], "urgent"],
    ["Ship it !2", "Ship it", [], "high"],
    ["Ship it !3", "Ship it", [], "medium"],
    ["Ship it !4", "Ship it", [], "low"],
    ["Ship it p1", "Ship it", [], "urgent"],
    ["Ship it !LOW", "Ship it", [], "low"],
    ["Ship it !medium.", "Ship it.", [], "medium"],
    ["Email p1x and !5", "Email p1x and !5", [], null],
    ["Tag #trailing.", "Tag.", ["trailing"], null],
    ["Unicode #Äpfel #äPFEL #日本", "Unicode", ["äpfel", "日本"], null],
  ] as const)("%s", (text, title, tags, priority) => {
    expect(parse(text)).toMatchObject({ title, tags: [...tags], priority })
  })

  it("keeps at most 20 tags and leaves the rest in the title", () => {
    const text = `Many ${Array.from({ length: 22 }, (_, i) => `#t${i}`).join(" ")}`
    const result = parse(text)
    expect(result.tags).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`))
    expect(result.title).toBe("Many #t20 #t21")
  })

  it("a tag longer than 50 characters stays in the title", () => {
    const long = `#${"x".repeat(51)}`
    expect(parse(`Note ${long}`)).toMatchObject({ title: `Note ${long}`, tags: [] })
  })

  it("falls back to the original text when nothing is left", () => {
    expect(parse("tomorrow 9am #errands").title).toBe("tomorrow 9am #errands")
    expect(parse("   spaced    out   ").title).toBe("spaced out")
    expect(parse("").title).toBe("Untitled")
    expect(parse("   ").title).toBe("   ")
  })

  it("cuts the title to 200 characters without splitting a character", () => {
    const title = parse(`${"a".repeat(199)}😀😀 tail`).title
    expect(title).toBe("a".repeat(199))
    expect(parse("b".repeat(600)).title).toBe("b".repeat(200))
  })
})

describe("parseQuickAdd: properties", () => {
  const decode = Schema.decodeUnknownSync(QuickAddParse)
  const decodeTag = Schema.decodeUnknownSync(Tag)
  const vocabulary = [
    "every",
    "every!",
    "day",
    "days",
    "2",
    "other",
    "weeks",
    "week",
    "month",
    "year",
    "on",
    "the",
    "1st",
    "31st",
    "last",
    "monday",
    "thu",
    "and",
    ",",
    "weekday",
    "tomorrow",
    "9am",
    "at",
    "5",
    "in",
    "hours",
    "Dec",
    "3",
    "#Home",
    "#home",
    "#日本",
    "!high",
    "!1",
    "p2",
    "P4",
    "!",
    "#",
    "😀",
    "e\u0301",
    "\u200b",
    "Buy",
    "milk",
  ]
  const phrase = fc.array(fc.constantFrom(...vocabulary), { maxLength: 14 }).map((words) => words.join(" "))
  const anyText = fc.oneof(
    phrase,
    fc.string(),
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: fc.constantFrom("#", "!", "p", "1", " ", "@", "$", ".", ","), maxLength: 60 }),
    fc.string({ minLength: 400, maxLength: 3000 }),
  )
  const nowArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  const zoneArb = fc.constantFrom(
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
  )

  it("never throws, and its answer always fits the contract", () => {
    fc.assert(
      fc.property(anyText, nowArb, zoneArb, (text, now, tz) => {
        const result = understand(text, { now, timezone: tz })
        expect(decode(result)).toEqual(result)
        // a title is never empty, and never longer than the task title allows
        expect(result.title.length).toBeGreaterThan(0)
        expect(result.title.length).toBeLessThanOrEqual(200)
        if (text.trim() !== "") expect(result.title.trim()).not.toBe("")
        // tags: lower-case, unique, at most 20, each a valid Tag
        expect(result.tags.length).toBeLessThanOrEqual(20)
        expect(new Set(result.tags).size).toBe(result.tags.length)
        for (const tag of result.tags) {
          expect(tag).toBe(tag.toLowerCase())
          expect(decodeTag(tag)).toBe(tag)
        }
        // any recurrence is one the task API accepts
        if (result.recurrence !== null) expect(Result.isSuccess(validateRule(result.recurrence))).toBe(true)
        else expect(result.repeatFrom).toBe("dueDate")
        // a due date is an ISO instant in UTC
        if (result.dueDate !== null) expect(new Date(result.dueDate).toISOString()).toBe(result.dueDate)
        // everything recognised was taken from the text
        for (const r of result.recognized) expect(text).toContain(r.text)
      }),
      { numRuns: 400 },
    )
  })

  it("a recurring task's first due date is ahead of now", () => {
    fc.assert(
      fc.property(phrase, nowArb, zoneArb, (text, now, tz) => {
        const result = understand(`every ${text}`, { now, timezone: tz })
        if (result.recurrence !== null && result.dueDate !== null)
          expect(Date.parse(result.dueDate)).toBeGreaterThan(now)
      }),
      { numRuns: 300 },
    )
  })
})
