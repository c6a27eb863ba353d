import { EXAMPLE_TASK, type Task } from "@todo/contracts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  comparator,
  DEFAULT_ORDER,
  dayOf,
  daysOf,
  defaultsOf,
  type Filters,
  filtersFromSearch,
  filtersToSearch,
  LIST_VIEWS,
  type ListView,
  matcher,
  OVERDUE,
  PRIORITIES,
  SORT_KEYS,
  serverQuery,
  windowOf,
} from "../src/filters.ts"
import { firstLine } from "../src/text.ts"

// The list views' pure logic: windows, days, the URL codec of the filters.

const task = (over: Partial<Task>): Task => ({
  ...EXAMPLE_TASK,
  id: "00000000-0000-4000-8000-000000000001",
  title: "A task",
  priority: "medium",
  dueDate: null,
  remindAt: null,
  recurrence: null,
  tags: [],
  estimateMinutes: null,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  ...over,
})

describe("the dated views' windows, in the user's zone", () => {
  const today = "2026-11-24"
  it("Today ends at the user's midnight and has no start (overdue included)", () => {
    expect(windowOf("today", defaultsOf("today"), "Asia/Tokyo", today)).toEqual({
      after: null,
      before: "2026-11-24T15:00:00.000Z",
    })
  })

  it("Upcoming spans seven calendar days from today, across a DST change", () => {
    // Berlin leaves summer time on 2026-10-25: the window is 7 calendar days, not 7 × 24 h.
    expect(windowOf("upcoming", defaultsOf("upcoming"), "Europe/Berlin", "2026-10-20")).toEqual({
      after: "2026-10-19T22:00:00.000Z",
      before: "2026-10-26T23:00:00.000Z",
    })
    expect(daysOf("upcoming", "2026-12-29")).toEqual([
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
      "2027-01-04",
    ])
  })

  it("puts a task under its due day in the zone, or under Overdue before today", () => {
    const tz = "America/New_York"
    // 03:00 UTC on the 25th is still the 24th in New York.
    expect(dayOf(task({ dueDate: "2026-11-25T03:00:00.000Z" }), tz, today)).toBe("2026-11-24")
    expect(dayOf(task({ dueDate: "2026-11-24T03:00:00.000Z" }), tz, today)).toBe(OVERDUE)
  })

  it("leaves tasks without a due date out of Today and Upcoming, and filters like the server", () => {
    const w = windowOf("today", defaultsOf("today"), "UTC", today)
    const match = matcher(defaultsOf("today"), w, Date.parse("2026-11-24T12:00:00Z"), "today")
    expect(match(task({ dueDate: null }))).toBe(false)
    expect(match(task({ dueDate: "2026-11-20T09:00:00.000Z" }))).toBe(true)
    expect(match(task({ dueDate: "2026-11-24T23:59:00.000Z" }))).toBe(true)
    expect(match(task({ dueDate: "2026-11-25T00:00:00.000Z" }))).toBe(false)
    expect(match(task({ dueDate: "2026-11-24T09:00:00.000Z", completed: true }))).toBe(false)
    expect(serverQuery(defaultsOf("today"), w, "today")).toMatchObject({
      status: "open",
      dueBefore: "2026-11-25T00:00:00.000Z",
      sort: "dueDate",
      order: "asc",
    })
  })
})

const day = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))

const filtersFor = (v: ListView): fc.Arbitrary<Filters> =>
  fc
    .record({
      q: fc.string({ maxLength: 30 }).filter((s) => s.trim() !== "" || s === ""),
      status: fc.constantFrom("open", "completed", "all"),
      priority: fc.uniqueArray(fc.constantFrom(...PRIORITIES), { maxLength: 4 }),
      tags: fc.uniqueArray(fc.stringMatching(/^[a-z0-9äé_-]{1,12}$/), { maxLength: 4 }),
      dueFrom: v === "tasks" ? fc.oneof(fc.constant(""), day) : fc.constant(""),
      dueTo: v === "tasks" ? fc.oneof(fc.constant(""), day) : fc.constant(""),
      overdue: v === "tasks" ? fc.boolean() : fc.constant(false),
      sort: fc.constantFrom(...SORT_KEYS),
      order: fc.constantFrom("asc", "desc"),
    })
    .map((f) => (f.q.trim() === "" ? { ...f, q: "" } : f))

describe("filters in the address", () => {
  it("read back exactly what was written, for every view (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIST_VIEWS).chain((v) => fc.tuple(fc.constant(v), filtersFor(v))),
        ([v, f]) => {
          expect(filtersFromSearch(filtersToSearch(f, v), v)).toEqual(f)
        },
      ),
    )
  })

  it("give a plain view a plain address, and write only what differs from the view's defaults", () => {
    for (const v of LIST_VIEWS) expect(filtersToSearch(defaultsOf(v), v)).toBe("")
    expect(
      filtersToSearch(
        { ...defaultsOf("tasks"), status: "all", tags: ["home"], sort: "title", order: "asc", q: "rent" },
        "tasks",
      ),
    ).toBe("?q=rent&status=all&tag=home&sort=title")
    expect(filtersToSearch({ ...defaultsOf("today"), sort: "dueDate", order: "desc" }, "today")).toBe(
      "?sort=dueDate&order=desc",
    )
  })

  it("ignore what they do not understand, whatever the address holds (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LIST_VIEWS), fc.string({ maxLength: 300 }), (v, junk) => {
        const f = filtersFromSearch(junk, v)
        expect(["open", "completed", "all"]).toContain(f.status)
        expect(SORT_KEYS).toContain(f.sort)
        for (const p of f.priority) expect(PRIORITIES).toContain(p)
        for (const t of f.tags) expect(t).toMatch(/^[^\s#,]{1,50}$/)
        expect(f.q.length).toBeLessThanOrEqual(200)
        if (v !== "tasks") expect([f.dueFrom, f.dueTo, f.overdue]).toEqual(["", "", false])
      }),
    )
    expect(
      filtersFromSearch("?status=maybe&priority=huge&from=yesterday&sort=sideways&order=up", "tasks"),
    ).toEqual(defaultsOf("tasks"))
    expect(filtersFromSearch("?sort=priority", "tasks").order).toBe(DEFAULT_ORDER.priority)
    // A due range belongs to the Tasks view; Today and Upcoming have their own window.
    expect(filtersFromSearch("?from=2026-01-01&overdue=1", "upcoming")).toEqual(defaultsOf("upcoming"))
  })
})

describe("rows", () => {
  it("show the first line of a description that has any text", () => {
    expect(firstLine(null)).toBeNull()
    expect(firstLine("")).toBeNull()
    expect(firstLine("  \n\n")).toBeNull()
    expect(firstLine("\r\n  Numbers from finance  \r\nCharts")).toBe("Numbers from finance")
    expect(firstLine("x".repeat(500))).toHaveLength(200)
  })

  it("sort like the server: tasks without a due date last either way", () => {
    const a = task({ id: "00000000-0000-4000-8000-00000000000a", dueDate: "2026-11-24T09:00:00.000Z" })
    const b = task({ id: "00000000-0000-4000-8000-00000000000b", dueDate: null })
    const c = task({ id: "00000000-0000-4000-8000-00000000000c", dueDate: "2026-11-25T09:00:00.000Z" })
    const sorted = (order: "asc" | "desc") =>
      [b, c, a].sort(comparator({ sort: "dueDate", order })).map((t) => t.id.slice(-1))
    expect(sorted("asc")).toEqual(["a", "c", "b"])
    expect(sorted("desc")).toEqual(["c", "a", "b"])
  })
})
