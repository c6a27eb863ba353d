import { CreateTask, isEmailAddress, ListTasksQuery, UpdateTask } from "@todo/contracts"
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
    estimateMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: null }),
  },
  { requiredKeys: ["title"] },
)
/** Not an estimate: out of 1–1440, not whole, not a number. */
const badEstimate = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: 1441 }),
  fc.double({ min: 1, max: 1440, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.string(),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
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
        expect(task.estimateMinutes).toBe(body.estimateMinutes ?? null)
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
    badEstimate.map((e) => (b) => ({ ...b, estimateMinutes: e })),
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
        // NUL in any parameter, and instants at and past the year bounds.
        fc.string({ maxLength: 10 }).map((v) => `${v}\u0000`),
        fc.constantFrom("0000-06-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
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
        estimateMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: null }),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(patch, async (body) => {
        expect(decodes(UpdateTask, body)).toBe(true)
        const res = await send("PATCH", `/api/tasks/${created.id}`, body)
        expect(res.status, res.text).toBe(200)
        if (body.estimateMinutes !== undefined)
          expect((JSON.parse(res.text) as { estimateMinutes: unknown }).estimateMinutes).toBe(
            body.estimateMinutes,
          )
      }),
      { numRuns: 40 },
    )
  }, 60_000)

  it("a PATCH with an estimate that is not a whole number of minutes in 1–1440 is a 400 naming the field", async () => {
    const created = JSON.parse(
      (await send("POST", "/api/tasks", { title: "Estimated", estimateMinutes: 30 })).text,
    ) as {
      id: string
    }
    await fc.assert(
      fc.asyncProperty(badEstimate, async (estimateMinutes) => {
        const res = await send("PATCH", `/api/tasks/${created.id}`, { estimateMinutes })
        expect(res.status, res.text).toBe(400)
        expect(res.contentType).toContain("application/problem+json")
        expect(res.text).toContain("body.estimateMinutes")
      }),
      { numRuns: 40 },
    )
    const after = JSON.parse((await send("GET", `/api/tasks/${created.id}`)).text) as {
      estimateMinutes: unknown
    }
    expect(after.estimateMinutes).toBe(30)
  }, 60_000)

  // Classes of hostile input (issue 12): each property states what the contract says and checks the server agrees.
  const malformed = fc.constantFrom("\u0000", "\ud800", "\udfff", "\ud83d")

  it("a NUL or an unpaired surrogate anywhere in any string field is a 400 naming that field, and writes nothing", async () => {
    const before = (await queryRows<{ n: string }>(app.databaseUrl, "SELECT count(*) AS n FROM tasks"))[0]!.n
    const field = fc.constantFrom("title", "description", "tags", "recurrence")
    await fc.assert(
      fc.asyncProperty(validCreate, field, malformed, fc.nat(), async (body, key, bad, at) => {
        const inject = (s: string) => s.slice(0, at % (s.length + 1)) + bad + s.slice(at % (s.length + 1))
        const invalid: Record<string, unknown> = { ...body }
        if (key === "tags") invalid.tags = [inject("tag")]
        else if (key === "recurrence") invalid.recurrence = inject("FREQ=DAILY;INTERVAL=2")
        else invalid[key] = inject(String(body[key as "title"] ?? "text"))
        expect(decodes(CreateTask, invalid)).toBe(false)
        const res = await send("POST", "/api/tasks", invalid)
        expect(res.status, `${JSON.stringify(invalid).slice(0, 200)} → ${res.text}`).toBe(400)
        const paths = (JSON.parse(res.text) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)
        expect(
          paths.some((p) => p.startsWith(`body.${key}`)),
          paths.join(),
        ).toBe(true)
      }),
      { numRuns: 80 },
    )
    const after = (await queryRows<{ n: string }>(app.databaseUrl, "SELECT count(*) AS n FROM tasks"))[0]!.n
    expect(after).toBe(before)
  }, 60_000)

  it("instants: accepted exactly when their UTC year is 1–9999", async () => {
    const pad = (n: number, w: number) => String(n).padStart(w, "0")
    const instant = fc
      .record({
        year: fc.oneof(
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 9998, max: 9999 }),
          fc.integer({ min: 0, max: 9999 }),
        ),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        offset: fc.integer({ min: -14, max: 14 }),
      })
      .map(({ year, month, day, hour, offset }) => {
        const zone = offset === 0 ? "Z" : `${offset < 0 ? "-" : "+"}${pad(Math.abs(offset), 2)}:00`
        return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:00:00${zone}`
      })
    await fc.assert(
      fc.asyncProperty(instant, async (dueDate) => {
        const year = new Date(dueDate).getUTCFullYear()
        const inRange = Number(dueDate.slice(0, 4)) >= 1 && year >= 1 && year <= 9999
        const res = await send("POST", "/api/tasks", { title: "instant", dueDate })
        expect(res.status, `${dueDate} → ${res.text}`).toBe(inRange ? 201 : 400)
        expect(decodes(CreateTask, { title: "instant", dueDate })).toBe(inRange)
      }),
      { numRuns: 60 },
    )
  }, 60_000)

  it("any cursor the server did not make is a 400, never a page or a 5xx", async () => {
    const cursor = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .base64String({ maxLength: 120 })
        .map((b) => b.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")),
      fc
        .tuple(fc.jsonValue(), fc.base64String({ maxLength: 30 }))
        .map(
          ([v, mac]) =>
            `${Buffer.from(JSON.stringify(v)).toString("base64url")}.${mac.replace(/[+/=]/g, "")}`,
        ),
    )
    await fc.assert(
      fc.asyncProperty(
        cursor,
        fc.constantFrom("/api/tasks", "/api/suggestions", "/api/activity"),
        async (c, path) => {
          const res = await send("GET", `${path}?cursor=${encodeURIComponent(c)}`)
          expect(res.status, `${path} ${JSON.stringify(c)} → ${res.text}`).toBe(400)
          expect(res.contentType).toContain("application/problem+json")
        },
      ),
      { numRuns: 120 },
    )
  }, 60_000)

  it("sign-up takes an email exactly when the contract's rule (Better Auth's) does, never a 5xx", async () => {
    let n = 0
    const email = fc.oneof(
      fc.emailAddress().filter((e) => e.length < 200),
      fc.emailAddress().map((e) => `${e}.`),
      fc.tuple(fc.emailAddress(), fc.constantFrom("\u200b", "é", '"', "..", " ")).map(([e, c]) => c + e),
    )
    await fc.assert(
      fc.asyncProperty(email, async (raw) => {
        // A fresh local part each run, so a valid address is a 201, not a 409 from an earlier run.
        const address = `${n++}${raw}`
        const res = await send("POST", "/api/auth/sign-up", {
          email: address,
          password: "a long passphrase",
          name: "P",
        })
        expect(res.status, `${JSON.stringify(address)} → ${res.text}`).toBe(
          isEmailAddress(address) ? 201 : 400,
        )
      }),
      { numRuns: 40 },
    )
  }, 60_000)
})
