import { CreateTask, ListTasksQuery, UpdateTask } from "@todo/contracts"
import { queryRows, signUp } from "@todo/testkit"
import { Schema } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
let token: string
beforeAll(async () => {
  app = await startTestApp()
  token = (await signUp(app.baseUrl)).token
})
afterAll(async () => {
  await app?.stop()
})

const send = async (method: string, path: string, body?: unknown, raw?: string) => {
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text }
}

// Valid inputs, built to the contract's rules (the schemas' constraints live in their decoding transformations,
// which a generator cannot invert; each generated body is checked against the schema itself below).
const instant = fc
  .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2090-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => d.toISOString())
const priority = fc.constantFrom("low", "medium", "high", "urgent")
const tag = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,19}$/)
const title = fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0)
const recurrence = fc.constantFrom(
  null,
  "FREQ=DAILY",
  "FREQ=WEEKLY;BYDAY=MO,TH",
  "FREQ=MONTHLY;BYMONTHDAY=31",
  "FREQ=YEARLY;COUNT=3",
)
const validCreate = fc.record(
  {
    title,
    description: fc.option(fc.string({ maxLength: 500 }), { nil: null }),
    priority,
    dueDate: fc.option(instant, { nil: null }),
    recurrence,
    repeatFrom: fc.constantFrom("dueDate", "completion"),
    tags: fc.uniqueArray(tag, { maxLength: 20 }),
  },
  { requiredKeys: ["title"] },
)

const decodes = (schema: Schema.Top, value: unknown) =>
  Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>, { onExcessProperty: "error" })(value)
    ._tag === "Success"

describe("property: the API accepts every valid body and answers every invalid one with a 4xx, never a 5xx", () => {
  it("valid CreateTask bodies are created (201) exactly as sent", async () => {
    await fc.assert(
      fc.asyncProperty(validCreate, async (body) => {
        expect(decodes(CreateTask, body)).toBe(true)
        const res = await send("POST", "/api/tasks", body)
        expect(res.status, res.text).toBe(201)
        const task = JSON.parse(res.text) as Record<string, unknown>
        expect(task.title).toBe(body.title.trim())
        if (body.priority !== undefined) expect(task.priority).toBe(body.priority)
        if (body.tags !== undefined) expect(task.tags).toEqual(body.tags)
      }),
      { numRuns: 60 },
    )
  }, 60_000)

  // Each mutation breaks one rule of the contract.
  const mutations: Array<fc.Arbitrary<(b: Record<string, unknown>) => unknown>> = [
    fc.constant((b) => ({ ...b, title: "" })),
    fc.constant((b) => ({ ...b, title: " ".repeat(5) })),
    fc.constant((b) => ({ ...b, title: "x".repeat(201) })),
    fc.constant(({ title: _t, ...rest }) => rest),
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !(k in CreateTask.fields))
      .map((k) => (b) => ({ ...b, [k]: 1 })),
    fc
      .anything()
      .filter((v) => typeof v !== "string")
      .map((v) => (b) => ({ ...b, title: v })),
    fc
      .string()
      .filter((s) => !["low", "medium", "high", "urgent"].includes(s))
      .map((p) => (b) => ({ ...b, priority: p })),
    fc.string({ maxLength: 30 }).map((d) => (b) => ({ ...b, dueDate: `${d}!` })),
    fc.constant((b) => ({ ...b, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })),
    fc.constant((b) => ({ ...b, tags: ["has space"] })),
    fc.constant((b) => ({ ...b, description: "d".repeat(10_001) })),
    fc.constant((b) => ({ ...b, recurrence: "EVERY TUESDAY" })),
    fc
      .jsonValue()
      .filter((v) => v === null || typeof v !== "object" || Array.isArray(v))
      .map((v) => () => v),
  ]

  it("invalid CreateTask bodies get a 4xx problem+json and create nothing", async () => {
    const before = (await queryRows<{ n: string }>(app.databaseUrl, "SELECT count(*) AS n FROM tasks"))[0]!.n
    let rejected = 0
    await fc.assert(
      fc.asyncProperty(validCreate, fc.oneof(...mutations), async (body, mutate) => {
        const invalid = mutate(body as Record<string, unknown>)
        if (decodes(CreateTask, invalid)) return // a mutation that happens to stay valid proves nothing
        const res = await send("POST", "/api/tasks", invalid)
        expect(res.status, `${JSON.stringify(invalid).slice(0, 200)} → ${res.text}`).toBeGreaterThanOrEqual(
          400,
        )
        expect(res.status).toBeLessThan(500)
        expect(res.contentType).toContain("application/problem+json")
        rejected++
      }),
      { numRuns: 120 },
    )
    expect(rejected).toBeGreaterThan(50)
    const after = (await queryRows<{ n: string }>(app.databaseUrl, "SELECT count(*) AS n FROM tasks"))[0]!.n
    // Only the valid-body property above created tasks, and it ran before.
    expect(after).toBe(before)
  }, 60_000)

  it("arbitrary bytes as a body never cause a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          "POST /api/tasks",
          "PATCH /api/tasks/00000000-0000-4000-8000-000000000000",
          "POST /api/auth/sign-in",
          "PUT /api/me/settings",
        ),
        async (raw, route) => {
          const [method, path] = route.split(" ") as [string, string]
          const res = await send(method, path, undefined, raw)
          expect(res.status, `${route} ${JSON.stringify(raw)} → ${res.text}`).toBeLessThan(500)
        },
      ),
      { numRuns: 100 },
    )
  }, 60_000)

  it("random query strings on GET /api/tasks are a 200 when valid and a 400 otherwise, never a 5xx", async () => {
    const param = fc.record({
      key: fc.constantFrom(
        "q",
        "status",
        "priority",
        "tag",
        "dueBefore",
        "dueAfter",
        "remindAfter",
        "overdue",
        "sort",
        "order",
        "limit",
        "cursor",
        "bogus",
      ),
      value: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom("open", "all", "high", "dueDate", "desc", "true", "10", "2030-01-01T00:00:00Z"),
      ),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 4 }), async (params) => {
        const qs = new URLSearchParams(params.map((p) => [p.key, p.value])).toString()
        const res = await send("GET", `/api/tasks?${qs}`)
        expect(res.status, `?${qs} → ${res.text}`).toBeLessThan(500)
        const obj: Record<string, string | Array<string>> = {}
        for (const p of params) {
          const prev = obj[p.key]
          obj[p.key] =
            prev === undefined ? p.value : Array.isArray(prev) ? [...prev, p.value] : [prev, p.value]
        }
        // Without a cursor, whether the server accepts the query is exactly whether the contract's schema does.
        if (!("cursor" in obj) && !("q" in obj && String(obj.q).trim() === "")) {
          expect(res.status === 200, `?${qs} → ${res.status}`).toBe(decodes(ListTasksQuery, obj))
        }
      }),
      { numRuns: 150 },
    )
  }, 60_000)

  it("valid PATCH bodies on one's own task are accepted", async () => {
    const created = JSON.parse((await send("POST", "/api/tasks", { title: "Target" })).text) as { id: string }
    const patch = fc.record(
      {
        title,
        priority,
        dueDate: fc.option(instant, { nil: null }),
        tags: fc.uniqueArray(tag, { maxLength: 5 }),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(patch, async (body) => {
        expect(decodes(UpdateTask, body)).toBe(true)
        const res = await send("PATCH", `/api/tasks/${created.id}`, body)
        expect(res.status, res.text).toBe(200)
      }),
      { numRuns: 40 },
    )
  }, 60_000)
})
