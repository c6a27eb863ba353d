import { Recurrence } from "@todo/contracts"
import { validateRule } from "@todo/calendar/recurrence"
import { parsePrometheus, sampleValue, signUp } from "@todo/testkit"
import { rruleArbitrary } from "@todo/testkit/rrule-arbitrary"
import { Result, Schema } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

// Recurrence rules against the real API and a real database: every answer is a 201 or a 400 that says why, and the
// work each request did stays within the calendar budget, read from the server's own step counter (GET /metrics),
// not from a clock.

let app: TestApp
let token: string
beforeAll(async () => {
  app = await startTestApp()
  token = (await signUp(app.baseUrl)).token
})
afterAll(async () => {
  await app?.stop()
})

const send = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    json: () => JSON.parse(text),
  }
}

/** The server's `calendar_work_steps` histogram: how many requests, and how many stayed within the budget. */
const workSteps = async () => {
  const res = await fetch(`${app.baseUrl}/metrics`)
  const { samples } = parsePrometheus(await res.text())
  return {
    requests: sampleValue(samples, "calendar_work_steps_count"),
    withinBudget: sampleValue(samples, "calendar_work_steps_bucket", { le: "1000000" }),
    steps: sampleValue(samples, "calendar_work_steps_sum"),
  }
}

const passesSchema = (rule: string) => Schema.decodeUnknownExit(Recurrence)(rule)._tag === "Success"

describe("recurrence rules from the RRULE grammar, through the API", () => {
  it("every rule is created (201) or refused with a 400 that says why; completing a created task never fails; no request exceeds the budget", async () => {
    const before = await workSteps()
    let evaluated = 0
    await fc.assert(
      fc.asyncProperty(
        rruleArbitrary,
        fc.date({
          min: new Date("2000-01-01T00:00:00Z"),
          max: new Date("2090-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        async (rule, due) => {
          const res = await send("POST", "/api/tasks", {
            title: "Hostile",
            dueDate: due.toISOString(),
            recurrence: rule,
          })
          expect([201, 400], rule).toContain(res.status)
          if (passesSchema(rule)) {
            evaluated++
            // the server says what the calendar says, in the same words
            const verdict = validateRule(rule)
            if (Result.isFailure(verdict)) {
              expect(res.status, rule).toBe(400)
              expect(res.contentType).toContain("application/problem+json")
              expect(res.json().errors).toEqual([{ path: "body.recurrence", message: verdict.failure }])
              return
            }
            expect(res.status, rule).toBe(201)
            const done = await send("POST", `/api/tasks/${res.json().id}/complete`)
            evaluated++
            expect(done.status, rule).toBe(200)
            const next = done.json().next
            if (next !== null) expect(Date.parse(next.dueDate)).toBeGreaterThan(due.getTime())
          } else {
            expect(res.status, rule).toBe(400)
          }
        },
      ),
      { numRuns: 150 },
    )
    const after = await workSteps()
    const requests = after.requests - before.requests
    expect(requests).toBeGreaterThan(0)
    expect(requests).toBeLessThanOrEqual(evaluated)
    // timing-independent: every request that evaluated a rule spent at most the budget
    expect(after.withinBudget - before.withinBudget).toBe(requests)
    console.info(
      `[calendar] ${requests} requests evaluated rules, ${Math.round((after.steps - before.steps) / requests)} steps each on average`,
    )
  }, 120_000)

  it("refuses the finding's rule (every weekday, hour, minute and second) at once, with the reason", async () => {
    const n = (to: number) => Array.from({ length: to + 1 }, (_, i) => i).join(",")
    const rule = `FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${n(23)};BYMINUTE=${n(59)};BYSECOND=${n(59)}`
    const before = await workSteps()
    const res = await send("POST", "/api/tasks", {
      title: "Every second",
      dueDate: "2030-01-01T09:00:00Z",
      recurrence: rule,
    })
    expect(res.status).toBe(400)
    expect(res.json().errors).toEqual([
      {
        path: "body.recurrence",
        message:
          "A task repeats at most once a day, and this rule gives 86400 times a day: BYHOUR, BYMINUTE and BYSECOND may each have one value",
      },
    ])
    // refused before any evaluation: no steps spent
    expect((await workSteps()).steps).toBe(before.steps)
  })

  it("completing a yearly task due 31 Dec 9999 ends the series (200, no next task)", async () => {
    const created = await send("POST", "/api/tasks", {
      title: "Last one",
      dueDate: "9999-12-31T09:00:00Z",
      recurrence: "FREQ=YEARLY",
    })
    expect(created.status).toBe(201)
    const done = await send("POST", `/api/tasks/${created.json().id}/complete`)
    expect(done.status).toBe(200)
    expect(done.json()).toMatchObject({ task: { completed: true }, next: null })
  })
})

describe("quick add through the API", () => {
  const word = fc.constantFrom(
    "every",
    "every!",
    "other",
    "feb",
    "30",
    "apr 31",
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
    "hours",
    "weekly",
    "starting",
    "dec 3",
    "#tag",
    "!high",
    "\u00e9",
    "😀",
  )
  const text = fc.oneof(
    fc.array(word, { minLength: 1, maxLength: 150 }).map((w) => w.join(" ").slice(0, 500).trim() || "x"),
    fc.constant(`x ${"every feb 30 ".repeat(38)}`.slice(0, 500)),
  )

  it("previews (200) and creates (201) from any text, never a 5xx, every request within the budget", async () => {
    const before = await workSteps()
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const preview = await send("POST", "/api/tasks/quick/parse", { text: t })
        expect(preview.status, t).toBe(200)
        const created = await send("POST", "/api/tasks/quick", { text: t })
        expect(created.status, t).toBe(201)
        // the preview said what the task got (the clock moves between the two, so not the due instant)
        const { title, recurrence, tags, priority } = preview.json()
        expect(created.json().parsed).toMatchObject({ title, recurrence, tags, priority })
        expect(created.json().task).toMatchObject({ title, recurrence, tags })
      }),
      { numRuns: 60 },
    )
    const after = await workSteps()
    // a text with no date word spends no calendar step and records no sample; a recurring one records two (the
    // text read, then the rule checked on create): so the samples are not the requests, but each is within budget
    const recorded = after.requests - before.requests
    expect(recorded).toBeGreaterThan(0)
    expect(after.withinBudget - before.withinBudget).toBe(recorded)
  }, 120_000)
})
