import { spawnSync } from "node:child_process"
import { join } from "node:path"
import type { RepeatFrom } from "@todo/contracts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { answer, type ProbeInput } from "./support/zoneProbe.ts"

// Quick add and recurrence answers must not depend on the server's time zone. The same cases run in two child
// processes whose TZ is 25 hours apart (UTC+14 and UTC-11) and in this one; all three answers must be identical.

const PROBE = join(import.meta.dirname, "support", "zoneProbe.ts")
const SERVER_ZONES = [
  { tz: "Pacific/Kiritimati", offsetMinutes: -840 },
  { tz: "Pacific/Pago_Pago", offsetMinutes: 660 },
]
const USER_ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham", "UTC"]

const runIn = (tz: string, input: ProbeInput) => {
  const child = spawnSync(process.execPath, [PROBE], {
    input: JSON.stringify(input),
    env: { ...process.env, TZ: tz },
  })
  if (child.status !== 0) throw new Error(`probe under TZ=${tz} failed: ${child.stderr}`)
  return JSON.parse(String(child.stdout)) as { offsetMinutes: number } & ReturnType<typeof answer>
}

// What depended on the server's zone before: a weekday said on that weekday, "this"/"next" weekdays, times of day,
// relative days, named dates; and instants close to midnight somewhere.
const PHRASES = [
  "Call mom monday",
  "Call mom on Sunday",
  "Report this monday",
  "Report next friday",
  "Mon @ 7pm",
  "Fri @ 7pm dinner",
  "Party tonight",
  "Lunch tomorrow noon",
  "Meeting at 5",
  "Check in 3 days at 10:00",
  "Check oven in 2 hours",
  "Taxes Dec 3",
  "Pay on the 27th",
  "Renew in a month",
  "next week",
  "this weekend",
  "end of month",
  "Standup every weekday at 9:30",
  "Swim every other tuesday",
  "Stretch every evening",
  "Gym every monday starting dec 8",
  "Pay rent every month on the last day",
]
const NOWS = [
  Date.UTC(2025, 10, 24, 10, 0),
  Date.UTC(2025, 10, 24, 23, 30),
  Date.UTC(2025, 10, 24, 0, 30),
  Date.UTC(2026, 2, 29, 0, 30), // the night Europe moves to summer time
  Date.UTC(2025, 10, 2, 8, 30), // the morning North America moves back
  Date.UTC(2028, 1, 29, 12, 0),
]
const RULES = [
  "FREQ=DAILY",
  "FREQ=WEEKLY;BYDAY=MO,TH",
  "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
  "FREQ=MONTHLY;BYMONTHDAY=31",
  "FREQ=MONTHLY;BYDAY=-1FR",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
]

const fixedCases = (): ProbeInput => ({
  quick: PHRASES.flatMap((text) =>
    NOWS.flatMap((now) => USER_ZONES.map((timezone) => ({ text, now, timezone }))),
  ),
  next: RULES.flatMap((rule) =>
    NOWS.flatMap((now) =>
      USER_ZONES.flatMap((timezone) =>
        (["dueDate", "completion"] as const).map((repeatFrom: RepeatFrom) => ({
          rule,
          dueDate: new Date(now).toISOString(),
          completedAt: new Date(now + 5 * 3_600_000).toISOString(),
          timezone,
          repeatFrom,
        })),
      ),
    ),
  ),
})

const generatedCases = (): ProbeInput => {
  const word = fc.constantFrom(
    ...PHRASES.flatMap((p) => p.split(" ")),
    "at",
    "@",
    "on",
    "the",
    "9am",
    "21:00",
  )
  const quick = fc.record({
    text: fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(" ")),
    now: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
    timezone: fc.constantFrom(...USER_ZONES),
  })
  return { quick: fc.sample(quick, { numRuns: 300, seed: 15 }), next: [] }
}

describe("quick add and recurrences do not depend on the server's time zone", () => {
  it.each([
    ["fixed cases", fixedCases],
    ["generated texts", generatedCases],
  ] as const)(
    "%s: identical under TZ=Pacific/Kiritimati (UTC+14), TZ=Pacific/Pago_Pago (UTC-11) and here",
    (_, cases) => {
      const input = cases()
      const here = JSON.parse(JSON.stringify(answer(input)))
      for (const zone of SERVER_ZONES) {
        const { offsetMinutes, ...there } = runIn(zone.tz, input)
        // the child really ran in that zone
        expect(offsetMinutes).toBe(zone.offsetMinutes)
        expect(there).toEqual(here)
      }
      // and the cases say something: dates were found
      expect(
        here.quick.filter((q: { value?: { dueDate: string | null } }) => q.value?.dueDate != null).length,
      ).toBeGreaterThan(input.quick.length / 3)
    },
    60_000,
  )
})
