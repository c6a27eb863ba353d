import { describe, expect, it } from "vitest"
import { parseSse } from "../src/sse.ts"
import { formatDate, formatDay, formatDue, fromInputValue, startOfDay, toInputValue } from "../src/time.ts"

// Pure helpers of the UI, tested without a browser.

describe("times in the user's zone", () => {
  it("reads and writes datetime-local values in a zone other than the device's", () => {
    expect(fromInputValue("2026-07-01T09:00", "Europe/Berlin")).toBe("2026-07-01T07:00:00.000Z")
    expect(fromInputValue("2026-12-01T09:00", "Europe/Berlin")).toBe("2026-12-01T08:00:00.000Z")
    expect(fromInputValue("2026-12-01T09:00", "America/New_York")).toBe("2026-12-01T14:00:00.000Z")
    expect(toInputValue("2026-07-01T07:00:00.000Z", "Europe/Berlin")).toBe("2026-07-01T09:00")
    expect(toInputValue(null, "UTC")).toBe("")
  })

  it("moves a time inside a DST gap forward, as the server does", () => {
    // 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 → 03:00).
    expect(fromInputValue("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z")
  })

  it("gives day boundaries for the due-range filter", () => {
    expect(startOfDay("2026-11-25", "UTC")).toBe("2026-11-25T00:00:00.000Z")
    expect(startOfDay("2026-11-25", "Asia/Tokyo", 1)).toBe("2026-11-25T15:00:00.000Z")
  })

  it("labels due dates relative to today", () => {
    const now = Date.parse("2026-11-24T12:00:00Z")
    expect(formatDue("2026-11-25T09:00:00.000Z", "UTC", now)).toBe("Tomorrow 09:00")
    expect(formatDue("2026-11-24T09:05:00.000Z", "UTC", now)).toBe("Today 09:05")
    expect(formatDue("2026-11-23T17:00:00.000Z", "UTC", now)).toBe("Yesterday 17:00")
    // 23:30 UTC on the 24th is already the 25th in Tokyo.
    expect(formatDue("2026-11-24T23:30:00.000Z", "Asia/Tokyo", now)).toBe("Tomorrow 08:30")
  })

  it("writes every other date one way, the way the agents' messages do: weekday, day, month, 24-hour time", () => {
    const now = Date.parse("2026-11-24T12:00:00Z")
    expect(formatDue("2026-11-27T09:00:00.000Z", "UTC", now)).toBe("Fri 27 Nov 09:00")
    expect(formatDate("2026-11-25T09:00:00.000Z", "UTC", now)).toBe("Wed 25 Nov 09:00")
    expect(formatDate("2027-01-01T00:00:00.000Z", "UTC", now)).toBe("Fri 1 Jan 2027 00:00")
    expect(formatDate("2026-11-24T23:30:00.000Z", "America/New_York", now)).toBe("Tue 24 Nov 18:30")
    // Whatever the browser's locale: the same names and clock.
    expect(formatDay("2026-09-07", "2026-01-01")).toBe("Mon 7 Sep")
  })
})

describe("server-sent events", () => {
  it("splits events across chunks, joins data lines, skips comments", async () => {
    const chunks = [
      ": ping\n\n",
      'event: task\ndata: {"id":"a","change":"created"}\n',
      "\nevent: suggestion\r",
      '\ndata: {"id":"b",\ndata: "change":"updated"}\r\n\r\n',
      "data: no event name\n\n",
    ]
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c))
        controller.close()
      },
    })
    const seen: Array<[string, string]> = []
    let activity = 0
    await parseSse(
      body,
      (event, data) => seen.push([event, data]),
      () => activity++,
    )
    expect(seen).toEqual([
      ["task", '{"id":"a","change":"created"}'],
      ["suggestion", '{"id":"b",\n"change":"updated"}'],
      ["message", "no event name"],
    ])
    expect(activity).toBe(chunks.length)
  })
})
