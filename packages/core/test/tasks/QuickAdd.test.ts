import { QuickAddParse, Tag } from "@todo/contracts"
import { Result, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseQuickAdd, type QuickAddOptions } from "../../src/tasks/QuickAdd.ts"
import { addDays, daysInMonth, toLocal, weekdayOf } from "@todo/calendar"
import { RULE_WORK_BUDGET, validateRule, WorkBudget } from "@todo/calendar/recurrence"

/** What quick add understood; a refusal (work budget) fails the test. */
const understand = (text: string, options: QuickAddOptions) => {
  const result = parseQuickAdd(text, options)
  if (Result.isFailure(result)) throw new Error(result.failure)
  return result.success
}

/**
 * Steps one quick-add text may take: a phrase tried at each of at most 500 word starts, and the rules it builds
 * checked once each. Measured maximum over the generated texts below: see the property's log.
 */
const QUICK_ADD_STEP_BOUND = 100_000

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
      estimateMinutes: null,
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
      estimateMinutes: null,
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
      estimateMinutes: null,
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
      estimateMinutes: null,
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
      estimateMinutes: null,
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

// ---------------------------------------------------------------------------------------------------------------------
// the classes quick add understands (each with a property where the class allows one)
// ---------------------------------------------------------------------------------------------------------------------

const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC"] as const
const nowArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
const zoneArb = fc.constantFrom(...ZONES)
const WEEKDAY_FORMS: ReadonlyArray<readonly [code: string, forms: ReadonlyArray<string>]> = [
  ["MO", ["monday", "Monday", "mon", "MON"]],
  ["TU", ["tuesday", "tue", "tues", "Tues"]],
  ["WE", ["wednesday", "wed", "Weds"]],
  ["TH", ["thursday", "thu", "thurs", "Thur"]],
  ["FR", ["friday", "fri", "Fri"]],
  ["SA", ["saturday", "sat", "Sat"]],
  ["SU", ["sunday", "sun", "Sun"]],
]
const weekdayArb = fc
  .constantFrom(...WEEKDAY_FORMS)
  .chain(([code, forms]) => fc.constantFrom(...forms).map((form) => ({ code, form })))
const localOf = (iso: string | null, zone: string) => (iso === null ? null : toLocal(iso, zone))
const dateText = (d: { year: number; month: number; day: number }) =>
  `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`

describe("quick add: every other <weekday> and every other week on …", () => {
  it("every other <weekday>, in any spelling: every second week on that day", () => {
    fc.assert(
      fc.property(weekdayArb, nowArb, zoneArb, ({ code, form }, now, zone) => {
        const r = understand(`Swim every other ${form}`, { now, timezone: zone })
        expect(r).toMatchObject({ title: "Swim", recurrence: `FREQ=WEEKLY;INTERVAL=2;BYDAY=${code}` })
        const due = localOf(r.dueDate, zone)
        expect(due === null ? -1 : weekdayOf(due)).toBe(
          ["SU", "MO", "TU", "WE", "TH", "FR", "SA"].indexOf(code),
        )
      }),
      { numRuns: 150 },
    )
  })

  it("every other week on a list of days, however the list is joined", () => {
    const list = fc
      .uniqueArray(weekdayArb, { minLength: 1, maxLength: 4, selector: (w) => w.code })
      .chain((days) =>
        fc
          .array(fc.constantFrom(", ", " and ", " & ", "/", ", and "), {
            minLength: days.length - 1,
            maxLength: days.length - 1,
          })
          .map((seps) => ({
            days,
            text: days.map((d, i) => (i === 0 ? d.form : `${seps[i - 1]}${d.form}`)).join(""),
          })),
      )
    fc.assert(
      fc.property(list, nowArb, ({ days, text }, now) => {
        const r = understand(`Review every other week on ${text}`, { now, timezone: "Europe/Berlin" })
        expect(r.title).toBe("Review")
        expect(r.recurrence).toBe(`FREQ=WEEKLY;INTERVAL=2;BYDAY=${days.map((d) => d.code).join(",")}`)
      }),
      { numRuns: 150 },
    )
  })

  it("every two fridays, every 3 mondays and thursdays", () => {
    expect(parse("Pay every two fridays").recurrence).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")
    expect(parse("Gym every 3 mondays and thursdays").recurrence).toBe("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH")
  })
})

describe("quick add: every date and time fragment combines, and leaves the title", () => {
  // days and times that mean the same whatever surrounds them (NOW: Monday 24 Nov 2025, 11:00 in Berlin)
  const DAYS: ReadonlyArray<readonly [string, string]> = [
    ["tomorrow", "2025-11-25"],
    ["fri", "2025-11-28"],
    ["Friday", "2025-11-28"],
    ["dec 3", "2025-12-03"],
    ["3rd of December", "2025-12-03"],
    ["in 5 days", "2025-11-29"],
    ["on the 27th", "2025-11-27"],
    ["2025-12-01", "2025-12-01"],
    ["next week", "2025-12-01"],
  ]
  const TIMES: ReadonlyArray<readonly [string, string]> = [
    ["7pm", "19:00"],
    ["@ 7pm", "19:00"],
    ["@7pm", "19:00"],
    ["at 19:00", "19:00"],
    ["@ 15:00", "15:00"],
    ["at 10:00", "10:00"],
    ["at 9:30 am", "09:30"],
    ["at noon", "12:00"],
  ]
  const arrangement = fc.record({
    day: fc.constantFrom(...DAYS),
    time: fc.constantFrom(...TIMES),
    title: fc.constantFrom("Dinner with Sam", "Call the bank", "Ship v2.0"),
    order: fc.constantFrom(
      "title day time",
      "title time day",
      "day time title",
      "time title day",
      "day title time",
    ),
  })

  it("a day and a time anywhere in the text give that day at that time, and the title is what is left", () => {
    fc.assert(
      fc.property(arrangement, ({ day, time, title, order }) => {
        // a short weekday far from the time and from the end is a word, not a date: give it its connector there
        const apart = order === "day title time" && /^(fri|sun|sat|mon)$/i.test(day[0])
        const parts: Record<string, string> = { title, day: apart ? `on ${day[0]}` : day[0], time: time[0] }
        const text = order
          .split(" ")
          .map((k) => parts[k])
          .join(" ")
        const r = parse(text)
        expect(r.title, text).toBe(title)
        const due = localOf(r.dueDate, "Europe/Berlin")
        expect(
          due === null
            ? null
            : `${dateText(due)} ${String(due.hour).padStart(2, "0")}:${String(due.minute).padStart(2, "0")}`,
          text,
        ).toBe(`${day[1]} ${time[1]}`)
        expect(r.recognized.map((x) => x.kind).every((k) => k === "date")).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it.each([
    ["Fri @ 7pm dinner", "dinner", "2025-11-28T18:00:00.000Z"],
    ["Standup today @ 15:00", "Standup", "2025-11-24T14:00:00.000Z"],
    ["Lunch at 10:00 in 5 days", "Lunch", "2025-11-29T09:00:00.000Z"],
    ["Lunch in 5 days at 10:00", "Lunch", "2025-11-29T09:00:00.000Z"],
    ["Test @ tomorrow 19:00", "Test", "2025-11-25T18:00:00.000Z"],
  ])("%s", (text, title, dueDate) => {
    expect(parse(text)).toMatchObject({ title, dueDate })
  })

  it("a time joins a recurrence from another chunk", () => {
    expect(parse("7pm Gym every Mon, Wed & Fri")).toMatchObject({
      title: "Gym",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      dueDate: "2025-11-24T18:00:00.000Z",
    })
  })
})

describe("quick add: every morning, afternoon, evening, night", () => {
  it.each([
    ["morning", 9],
    ["afternoon", 15],
    ["evening", 19],
    ["night", 22],
  ])("every %s is daily at %i:00, the first one still ahead", (part, hour) => {
    fc.assert(
      fc.property(nowArb, zoneArb, (now, zone) => {
        const r = understand(`Stretch every ${part}`, { now, timezone: zone })
        expect(r).toMatchObject({ title: "Stretch", recurrence: "FREQ=DAILY" })
        const due = localOf(r.dueDate, zone)
        expect(due?.hour).toBe(hour)
        expect(Date.parse(r.dueDate ?? "")).toBeGreaterThan(now)
        expect(Date.parse(r.dueDate ?? "") - now).toBeLessThanOrEqual(26 * 3_600_000)
      }),
      { numRuns: 50 },
    )
  })

  it("an explicit time wins over the part of the day", () => {
    expect(parse("Stretch every evening at 8pm").dueDate).toBe("2025-11-24T19:00:00.000Z")
  })
})

describe("quick add: a bare ordinal day is the next such day of a month", () => {
  it("for any day of the month and any today: the first date on or after today with that day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), nowArb, zoneArb, (n, now, zone) => {
        const suffix =
          n % 10 === 1 && n !== 11
            ? "st"
            : n % 10 === 2 && n !== 12
              ? "nd"
              : n % 10 === 3 && n !== 13
                ? "rd"
                : "th"
        const r = understand(`Pay rent on the ${n}${suffix}`, { now, timezone: zone })
        expect(r.title).toBe("Pay rent")
        const today = toLocal(now, zone)
        let expected = { year: today.year, month: today.month, day: today.day }
        while (expected.day !== n) expected = addDays(expected, 1)
        const due = localOf(r.dueDate, zone)
        expect(due === null ? null : dateText(due)).toBe(dateText(expected))
      }),
      { numRuns: 200 },
    )
  })

  it.each([
    ["Pay 27th", "2025-11-27"],
    ["Pay the 27th", "2025-11-27"],
    ["Pay 24th", "2025-11-24"],
    ["Pay 31st", "2025-12-31"],
    ["Pay 30th at 10:00", "2025-11-30"],
  ])("%s", (text, date) => {
    const due = localOf(parse(text).dueDate, "Europe/Berlin")
    expect(due === null ? null : dateText(due)).toBe(date)
  })
})

describe("quick add: starting <date> for recurrences", () => {
  const rules: ReadonlyArray<readonly [string, string]> = [
    ["every day", "FREQ=DAILY"],
    ["every other week", "FREQ=WEEKLY;INTERVAL=2"],
    ["every monday", "FREQ=WEEKLY;BYDAY=MO"],
    ["every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"],
    ["every 14 days", "FREQ=DAILY;INTERVAL=14"],
  ]
  it("the first due date is the rule's first occurrence on or after the start", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rules),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom("starting", "from", "beginning"),
        ([phrase, rule], inDays, word) => {
          const start = addDays({ year: 2025, month: 11, day: 24 }, inDays)
          const monthName = [
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
          ][start.month - 1]
          const r = parse(`Water plants ${phrase} ${word} ${monthName} ${start.day} ${start.year}`)
          expect(r).toMatchObject({ title: "Water plants", recurrence: rule })
          const due = localOf(r.dueDate, "Europe/Berlin")
          expect(due === null ? "" : dateText(due) >= dateText(start)).toBe(true)
          expect(due === null ? "" : dateText(due) <= dateText(addDays(start, 31))).toBe(true)
        },
      ),
      { numRuns: 150 },
    )
  })

  it.each([
    ["Run every 14 days 7am starting 1 Dec", "FREQ=DAILY;INTERVAL=14", "2025-12-01T06:00:00.000Z"],
    [
      "Swim every other Tues 7am starting 1 Dec",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
      "2025-12-02T06:00:00.000Z",
    ],
    ["Yoga every evening starting tomorrow", "FREQ=DAILY", "2025-11-25T18:00:00.000Z"],
  ])("%s", (text, recurrence, dueDate) => {
    expect(parse(text)).toMatchObject({ recurrence, dueDate })
  })
})

describe("quick add: no false dates from numbers in titles", () => {
  const word = fc.constantFrom(
    "Read",
    "Route",
    "Chapter",
    "Commission",
    "Report",
    "the",
    "Apollo",
    "Fix",
    "bug",
    "room",
    "v2.0",
    "v1.1.1",
    "3D",
    "5k",
    "#tag",
    "Top",
    "Sun",
    "sunglasses",
    "monitor",
    "weekly",
  )
  const number = fc.oneof(
    fc.integer({ min: 0, max: 99_999 }).map(String),
    fc.constantFrom(
      "9/11",
      "24/7",
      "50/50",
      "1/2",
      "jan 32",
      "feb 30",
      "apr 31",
      "21st",
      "3rd",
      "may",
      "march",
    ),
  )
  it("numbers, fractions and impossible dates inside a title are not dates", () => {
    fc.assert(
      fc.property(
        // numbers between words, never two side by side ("3rd jan" would be a date)
        fc.array(fc.tuple(word, number), { minLength: 1, maxLength: 4 }).map((pairs) => pairs.flat()),
        fc.constantFrom("Report", "bug", "notes", "plan"),
        nowArb,
        (middle, last, now) => {
          const text = ["Read", ...middle, last].join(" ")
          const r = understand(text, { now, timezone: "Europe/Berlin" })
          expect(r.dueDate, text).toBeNull()
          expect(r.recurrence, text).toBeNull()
          expect(
            r.recognized.filter((x) => x.kind === "date" || x.kind === "recurrence"),
            text,
          ).toEqual([])
        },
      ),
      { numRuns: 300 },
    )
  })

  it.each([
    "Read 9/11 Commission Report",
    "Drive Route 66",
    "Party jan 32",
    "Top 10 may change",
    "Celebrate 21st birthday",
  ])("%s keeps its title and has no date", (text) => {
    expect(parse(text)).toMatchObject({ title: text, dueDate: null, recurrence: null })
  })

  it("the same words are dates where plainly meant", () => {
    expect(parse("Remember on 9/11").dueDate).toBe("2026-09-11T07:00:00.000Z")
    expect(parse("Party jan 30").dueDate).toBe("2026-01-30T08:00:00.000Z")
    expect(parse("Read the sun book on sun").dueDate).toBe("2025-11-30T08:00:00.000Z")
  })
})

describe("quick add: month arithmetic clamps to the month's end", () => {
  it("in N months from any day is that day N months later, or the last day of a shorter month", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 36 }), nowArb, zoneArb, (n, now, zone) => {
        const r = understand(`Renew in ${n} months`, { now, timezone: zone })
        const today = toLocal(now, zone)
        const index = today.year * 12 + today.month - 1 + n
        const year = Math.floor(index / 12)
        const month = (index % 12) + 1
        const expected = { year, month, day: Math.min(today.day, daysInMonth(year, month)) }
        const due = localOf(r.dueDate, zone)
        expect(due === null ? null : dateText(due)).toBe(dateText(expected))
      }),
      { numRuns: 200 },
    )
  })

  it.each([
    ["2026-01-31T10:00:00Z", "in a month", "2026-02-28"],
    ["2028-01-31T10:00:00Z", "in a month", "2028-02-29"],
    ["2026-03-31T10:00:00Z", "in 1 month", "2026-04-30"],
    ["2024-02-29T10:00:00Z", "in a year", "2025-02-28"],
  ])("from %s, %s is %s", (now, phrase, date) => {
    const due = localOf(parse(`Renew ${phrase}`, now, "UTC").dueDate, "UTC")
    expect(due === null ? null : dateText(due)).toBe(date)
  })
})

describe("quick add: bounded work", () => {
  it("a text repeating impossible dates is read within a bounded number of steps, and they stay text", () => {
    const text = `x ${"every feb 30 ".repeat(38)}`.slice(0, 500)
    const budget = new WorkBudget(RULE_WORK_BUDGET)
    const result = parseQuickAdd(text, { now: NOW, timezone: "Europe/Berlin", budget })
    expect(Result.isSuccess(result) && result.success.recurrence).toBe(null)
    expect(budget.spent).toBeLessThanOrEqual(QUICK_ADD_STEP_BOUND)
  })

  it("any text of up to 500 characters is read within the step bound", () => {
    const vocabulary = fc.constantFrom(
      "every",
      "every!",
      "other",
      "feb",
      "30",
      "31st",
      "the",
      "last",
      "day",
      "month",
      "on",
      "at",
      "@",
      "5",
      "tomorrow",
      "sun",
      "9/11",
      "in",
      "3",
      "days",
      "weekly",
      "2030-02-29",
      "starting",
    )
    let most = 0
    fc.assert(
      fc.property(fc.array(vocabulary, { maxLength: 200 }), nowArb, zoneArb, (words, now, zone) => {
        const budget = new WorkBudget(RULE_WORK_BUDGET)
        const result = parseQuickAdd(words.join(" ").slice(0, 500), { now, timezone: zone, budget })
        most = Math.max(most, budget.spent)
        expect(Result.isSuccess(result)).toBe(true)
        expect(budget.spent).toBeLessThanOrEqual(QUICK_ADD_STEP_BOUND)
      }),
      { numRuns: 200 },
    )
    console.info(`[quick add] most steps one text took: ${most}`)
  })

  it("refuses with a sentence when the request's budget runs out", () => {
    expect(
      parseQuickAdd("Pay rent every month on the 1st", {
        now: NOW,
        timezone: "UTC",
        budget: new WorkBudget(50),
      }),
    ).toEqual(
      Result.fail(
        "Quick add cannot read this text within its work budget (more than 50 steps): shorten it or split it into several tasks",
      ),
    )
  })
})

describe("quick add: an estimate (~30m, ~2h, ~1h30m)", () => {
  it.each([
    ["Call the bank ~30m", 30, "Call the bank"],
    ["~2h Deep work", 120, "Deep work"],
    ["Review slides ~1h30m tomorrow 9am", 90, "Review slides"],
    ["Review notes ~90m #work !high", 90, "Review notes"],
    ["Plan ~45min", 45, "Plan"],
    ["Marathon ~24h", 1440, "Marathon"],
    ["Two estimates ~10m ~20m", 20, "Two estimates"],
  ] as const)("%s → %i minutes", (text, minutes, title) => {
    const parsed = parse(text)
    expect(parsed.estimateMinutes).toBe(minutes)
    expect(parsed.title).toBe(title)
    expect(parsed.recognized.filter((r) => r.kind === "estimate").length).toBeGreaterThan(0)
  })

  it.each([
    ["nothing to read", "Buy ~milk"],
    ["zero", "Nap ~0m"],
    ["over a day", "Trip ~25h"],
    ["inside a word", "file~30m.txt"],
    ["a tilde alone", "about ~ 30m"],
  ])("%s: %s keeps its text and no estimate", (_, text) => {
    const parsed = parse(text)
    expect(parsed.estimateMinutes).toBeNull()
    expect(parsed.title).toContain("~")
  })

  it("property: any hours and minutes written ~Hh, ~Mm or ~HhMm within a day are read exactly and leave the title", () => {
    const spelling = fc
      .tuple(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 1440 }))
      .filter(([h, m]) => h * 60 + m >= 1 && h * 60 + m <= 1440)
      .map(([h, m]) => ({
        minutes: h * 60 + m,
        text: h === 0 ? `~${m}m` : m === 0 ? `~${h}h` : `~${h}h${m}m`,
      }))
    fc.assert(
      fc.property(spelling, fc.constantFrom("Write report", "Call Anna", "Fix the bike"), (e, title) => {
        const parsed = parse(`${title} ${e.text}`)
        expect(parsed.estimateMinutes).toBe(e.minutes)
        expect(parsed.title).toBe(title)
        expect(Schema.decodeUnknownExit(QuickAddParse)(parsed)._tag).toBe("Success")
      }),
      { numRuns: 300 },
    )
  })
})
