import type { Task } from "@todo/contracts"
import { type ApiClient, apiClient, eventually, queryRows, signUp } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app?.stop()
})

const created = async (
  client: ApiClient,
  body: Parameters<ApiClient["api"]["tasks"]["create"]>[0]["body"],
) => {
  const res = await client.api.tasks.create({ body })
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

const eventsOf = (taskId: string) =>
  queryRows<{ event_type: string; payload: Record<string, unknown> }>(
    app.databaseUrl,
    "SELECT event_type, payload FROM outbox WHERE task_id = $1 ORDER BY id",
    [taskId],
  )

describe("PATCH /api/tasks/:id", () => {
  it("changes the given fields, bumps the version and writes tasks.updated with from/to", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Draft", tags: ["a"] })
    const res = await client.api.tasks.update({
      params: { id: task.id },
      body: { title: "Final", priority: "high", tags: ["a", "B"] },
      headers: { "if-match": `"${task.version}"` },
    })
    expect(res.status).toBe(200)
    if (res.status !== 200) return
    expect(res.body).toMatchObject({ title: "Final", priority: "high", tags: ["a", "b"], version: 2 })
    const events = await eventsOf(task.id)
    expect(events.map((e) => e.event_type)).toEqual(["tasks.created", "tasks.updated"])
    expect(events[1]!.payload.changes).toEqual({
      title: { from: "Draft", to: "Final" },
      priority: { from: "medium", to: "high" },
      tags: { from: ["a"], to: ["a", "b"] },
    })
  })

  it("a stale If-Match is a 412 and changes nothing", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Shared" })
    await client.api.tasks.update({ params: { id: task.id }, body: { title: "First writer" } })
    const stale = await client.api.tasks.update({
      params: { id: task.id },
      body: { title: "Second writer" },
      headers: { "if-match": "1" },
    })
    expect(stale.status).toBe(412)
    const now = await client.api.tasks.get({ params: { id: task.id } })
    expect(now.status === 200 && now.body).toMatchObject({ title: "First writer", version: 2 })
    expect((await eventsOf(task.id)).length).toBe(2)
    const malformed = await client.api.tasks.update({
      params: { id: task.id },
      body: { title: "x" },
      headers: { "if-match": "banana" },
    })
    expect(malformed.status).toBe(400)
  })

  it("a PATCH that changes nothing writes no event and keeps the version", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Same", priority: "low" })
    const res = await client.api.tasks.update({
      params: { id: task.id },
      body: { title: "Same", priority: "low" },
    })
    expect(res.status === 200 && res.body.version).toBe(1)
    expect((await eventsOf(task.id)).map((e) => e.event_type)).toEqual(["tasks.created"])
  })

  it("null clears a nullable field; an impossible recurrence or a reminder after the due date is a 400", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Dated", dueDate: "2031-05-01T10:00:00Z", description: "x" })
    const cleared = await client.api.tasks.update({
      params: { id: task.id },
      body: { dueDate: null, description: null },
    })
    expect(cleared.status === 200 && cleared.body).toMatchObject({ dueDate: null, description: null })
    const never = await client.api.tasks.update({
      params: { id: task.id },
      body: { recurrence: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" },
    })
    expect(never.status).toBe(400)
    expect(never.body).toMatchObject({ errors: [{ path: "body.recurrence" }] })
    const late = await client.api.tasks.update({
      params: { id: task.id },
      body: { dueDate: "2031-05-01T10:00:00Z", remindAt: "2031-05-01T11:00:00Z" },
    })
    expect(late.status).toBe(400)
    expect(late.body).toMatchObject({ errors: [{ path: "body.remindAt" }] })
  })
})

describe("DELETE, complete and incomplete", () => {
  it("deletes once (204, then 404) and writes tasks.deleted", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Temporary" })
    expect((await client.api.tasks.remove({ params: { id: task.id } })).status).toBe(204)
    expect((await client.api.tasks.get({ params: { id: task.id } })).status).toBe(404)
    expect((await client.api.tasks.remove({ params: { id: task.id } })).status).toBe(404)
    expect((await eventsOf(task.id)).map((e) => e.event_type)).toEqual(["tasks.created", "tasks.deleted"])
  })

  it("complete and incomplete are idempotent: a repeat answers the same and writes nothing", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Once" })
    const first = await client.api.tasks.complete({ params: { id: task.id } })
    const second = await client.api.tasks.complete({ params: { id: task.id } })
    expect(first.status === 200 && first.body.task.completed).toBe(true)
    expect(second.status === 200 && second.body).toEqual(first.status === 200 && first.body)
    const reopened = await client.api.tasks.incomplete({ params: { id: task.id } })
    await client.api.tasks.incomplete({ params: { id: task.id } })
    expect(reopened.status === 200 && reopened.body).toMatchObject({ completed: false, completedAt: null })
    expect((await eventsOf(task.id)).map((e) => e.event_type)).toEqual([
      "tasks.created",
      "tasks.completed",
      "tasks.incomplete",
    ])
  })
})

describe("recurrence roll-over on completion", () => {
  const roll = async (
    body: Parameters<ApiClient["api"]["tasks"]["create"]>[0]["body"],
    timezone = "UTC",
  ): Promise<{ task: Task; next: Task | null; client: ApiClient }> => {
    const { client } = await signUp(app.baseUrl)
    await client.api.me.putSettings({ body: { timezone, agentsEnabled: false } })
    const task = await created(client, body)
    const res = await client.api.tasks.complete({ params: { id: task.id } })
    if (res.status !== 200) throw new Error(`complete failed: ${res.status}`)
    return { task, next: res.body.next, client }
  }

  it("daily: the next occurrence is due a day later, with the same title, tags, priority and reminder offset", async () => {
    const { task, next } = await roll({
      title: "Stretch",
      priority: "high",
      tags: ["health"],
      dueDate: "2031-01-10T07:00:00Z",
      remindAt: "2031-01-10T06:45:00Z",
      recurrence: "FREQ=DAILY",
    })
    expect(next).toMatchObject({
      title: "Stretch",
      priority: "high",
      tags: ["health"],
      dueDate: "2031-01-11T07:00:00.000Z",
      remindAt: "2031-01-11T06:45:00.000Z",
      recurrence: "FREQ=DAILY",
      completed: false,
    })
    const events = await eventsOf(task.id)
    expect(events.at(-1)).toMatchObject({ event_type: "tasks.completed", payload: { nextTaskId: next!.id } })
    expect((await eventsOf(next!.id)).map((e) => e.event_type)).toEqual(["tasks.created"])
  })

  it("weekly on Monday and Thursday: Monday → Thursday", async () => {
    // 2031-01-06 is a Monday.
    const { next } = await roll({
      title: "Gym",
      dueDate: "2031-01-06T18:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TH",
    })
    expect(next?.dueDate).toBe("2031-01-09T18:00:00.000Z")
  })

  it("monthly on the 31st skips months without one", async () => {
    const { next } = await roll({
      title: "Invoice",
      dueDate: "2031-01-31T09:00:00Z",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=31",
    })
    expect(next?.dueDate).toBe("2031-03-31T09:00:00.000Z")
  })

  it("COUNT counts down and an exhausted rule creates nothing", async () => {
    const { next } = await roll({
      title: "Twice",
      dueDate: "2031-02-01T09:00:00Z",
      recurrence: "FREQ=DAILY;COUNT=2",
    })
    expect(next?.recurrence).toBe("FREQ=DAILY;COUNT=1")
    const last = await roll({
      title: "Last",
      dueDate: "2031-02-01T09:00:00Z",
      recurrence: "FREQ=DAILY;COUNT=1",
    })
    expect(last.next).toBeNull()
  })

  it("keeps 09:00 local time across the DST change in the user's zone", async () => {
    // 2031-03-09 is the US spring-forward day: 09:00 EST = 14:00Z, 09:00 EDT = 13:00Z.
    const { next } = await roll(
      { title: "Standup", dueDate: "2031-03-08T14:00:00Z", recurrence: "FREQ=DAILY" },
      "America/New_York",
    )
    expect(next?.dueDate).toBe("2031-03-09T13:00:00.000Z")
  })

  it("repeatFrom=completion counts from when it was done, at the due date's time of day", async () => {
    const { next } = await roll({
      title: "Water plants",
      dueDate: "2020-01-01T08:00:00Z",
      recurrence: "FREQ=DAILY;INTERVAL=3",
      repeatFrom: "completion",
    })
    // Three days after today (the completion), at the old due date's 08:00 — not three days after 2020-01-01.
    const today = new Date()
    const expected = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 3, 8),
    )
    expect(next!.dueDate).toBe(expected.toISOString())
  })
})

describe("GET /api/tasks: search, filter, sort, paginate", () => {
  let client: ApiClient
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    client = (await signUp(app.baseUrl)).client
    const specs: Array<[string, Parameters<ApiClient["api"]["tasks"]["create"]>[0]["body"]]> = [
      [
        "rent",
        {
          title: "Pay rent",
          priority: "urgent",
          tags: ["home", "money"],
          dueDate: "2030-01-01T09:00:00Z",
          remindAt: "2029-12-31T18:00:00Z",
        },
      ],
      ["milk", { title: "Buy milk", priority: "low", tags: ["errands"], dueDate: "2030-01-03T09:00:00Z" }],
      [
        "taxes",
        {
          title: "File taxes",
          description: "send the rent receipts",
          priority: "high",
          tags: ["money"],
          dueDate: "2020-01-01T09:00:00Z",
          remindAt: "2019-12-31T18:00:00Z",
        },
      ],
      ["book", { title: "Read a book", priority: "medium" }],
      ["call", { title: "call mom", priority: "high", tags: ["family"], dueDate: "2030-01-02T09:00:00Z" }],
    ]
    for (const [key, body] of specs) ids[key] = (await created(client, body)).id
    await client.api.tasks.complete({ params: { id: ids.book! } })
  })

  type ListQuery = NonNullable<NonNullable<Parameters<ApiClient["api"]["tasks"]["list"]>[0]>["query"]>
  const list = async (query: ListQuery) => {
    const res = await client.api.tasks.list({ query })
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const titles = async (query: ListQuery) => (await list(query)).items.map((t) => t.title)

  it("filters by status, priority (several), tag (any of several), due range and overdue", async () => {
    expect(await titles({ status: "completed" })).toEqual(["Read a book"])
    expect(await titles({ status: "open", sort: "title" })).toEqual([
      "Buy milk",
      "call mom",
      "File taxes",
      "Pay rent",
    ])
    expect(await titles({ priority: ["high", "urgent"], sort: "title" })).toEqual([
      "call mom",
      "File taxes",
      "Pay rent",
    ])
    expect(await titles({ tag: ["money"], sort: "title" })).toEqual(["File taxes", "Pay rent"])
    expect(await titles({ tag: ["family", "errands"], sort: "title" })).toEqual(["Buy milk", "call mom"])
    expect(
      await titles({ dueAfter: "2030-01-01T00:00:00Z", dueBefore: "2030-01-03T00:00:00Z", sort: "dueDate" }),
    ).toEqual(["Pay rent", "call mom"])
    expect(await titles({ overdue: "true" })).toEqual(["File taxes"])
  })

  it("filters by reminder time: the reminders still to come", async () => {
    expect(await titles({ remindAfter: "2025-01-01T00:00:00Z", status: "open" })).toEqual(["Pay rent"])
    expect(await titles({ remindAfter: "2019-01-01T00:00:00+01:00", sort: "title" })).toEqual([
      "File taxes",
      "Pay rent",
    ])
    expect(await titles({ remindAfter: "2029-12-31T18:00:00.001Z" })).toEqual([])
  })

  it("searches title, description and tags, best match first, prefix on the last word", async () => {
    expect(await titles({ q: "rent" })).toEqual(["Pay rent", "File taxes"])
    expect(await titles({ q: "tax" })).toEqual(["File taxes"])
    expect(await titles({ q: "errands" })).toEqual(["Buy milk"])
    expect(await titles({ q: "!!! ???" })).toEqual([])
  })

  it("sorts by each key both ways, tasks without a due date last", async () => {
    expect(await titles({ sort: "priority", order: "desc", status: "open" })).toEqual([
      "Pay rent",
      ...(await titles({ priority: ["high"], sort: "priority", order: "desc" })),
      "Buy milk",
    ])
    expect(await titles({ sort: "dueDate", order: "asc" })).toEqual([
      "File taxes",
      "Pay rent",
      "call mom",
      "Buy milk",
      "Read a book",
    ])
    expect(await titles({ sort: "dueDate", order: "desc" })).toEqual([
      "Buy milk",
      "call mom",
      "Pay rent",
      "File taxes",
      "Read a book",
    ])
    expect(await titles({ sort: "title", order: "desc" })).toEqual([
      "Read a book",
      "Pay rent",
      "File taxes",
      "call mom",
      "Buy milk",
    ])
    expect(await titles({ sort: "createdAt", order: "asc" })).toEqual([
      "Pay rent",
      "Buy milk",
      "File taxes",
      "Read a book",
      "call mom",
    ])
    expect((await titles({ sort: "updatedAt", order: "desc" }))[0]).toBe("Read a book")
  })

  it("rejects unknown parameters and values, a limit over 100 and a malformed or foreign cursor", async () => {
    for (const qs of [
      "sort=owner",
      "status=done",
      "limit=101",
      "limit=0",
      "bogus=1",
      "overdue=yes",
      "cursor=!!!",
      "dueBefore=soon",
    ]) {
      const { token } = await signUp(app.baseUrl)
      const res = await fetch(`${app.baseUrl}/api/tasks?${qs}`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(res.status, qs).toBe(400)
    }
    const page = await list({ limit: "2", sort: "title" })
    const foreign = await client.api.tasks.list({ query: { cursor: page.nextCursor!, sort: "dueDate" } })
    expect(foreign.status).toBe(400)
  })

  it("tags route counts each tag", async () => {
    const res = await client.api.tags()
    expect(res.status === 200 && res.body.items).toEqual([
      { tag: "money", count: 2 },
      { tag: "errands", count: 1 },
      { tag: "family", count: 1 },
      { tag: "home", count: 1 },
    ])
  })
})

describe("cursor pagination", () => {
  it("walks every task exactly once while tasks are inserted between pages, for every sort", async () => {
    const { client } = await signUp(app.baseUrl)
    for (let i = 0; i < 23; i++) {
      await created(client, {
        title: `Task ${String(i % 7).padStart(2, "0")}`,
        priority: (["low", "medium", "high", "urgent"] as const)[i % 4]!,
        ...(i % 3 === 0 ? {} : { dueDate: new Date(Date.UTC(2031, 0, 1 + (i % 5))).toISOString() }),
      })
    }
    for (const sort of ["createdAt", "updatedAt", "dueDate", "priority", "title"] as const) {
      for (const order of ["asc", "desc"] as const) {
        const before = (await client.api.tasks.list({ query: { limit: "100" } })).body as {
          items: ReadonlyArray<Task>
        }
        const seen: Array<string> = []
        let cursor: string | undefined
        let pages = 0
        do {
          const res = await client.api.tasks.list({
            query: { sort, order, limit: "4", ...(cursor ? { cursor } : {}) },
          })
          if (res.status !== 200) throw new Error(`page failed: ${res.status} ${JSON.stringify(res.body)}`)
          seen.push(...res.body.items.map((t) => t.id))
          cursor = res.body.nextCursor ?? undefined
          // A concurrent insert between pages must neither duplicate nor hide the rows that existed before.
          await created(client, { title: `Inserted ${sort} ${order} ${pages++}` })
        } while (cursor)
        expect(new Set(seen).size, `${sort} ${order}: duplicates`).toBe(seen.length)
        for (const t of before.items) expect(seen, `${sort} ${order}: gap`).toContain(t.id)
      }
    }
  }, 60_000)
})

describe("activity", () => {
  it("lists a task's history newest first with who did what, and the user's history across tasks", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Tracked" })
    await client.api.tasks.update({ params: { id: task.id }, body: { priority: "urgent" } })
    await client.api.tasks.complete({ params: { id: task.id } })
    const other = await created(client, { title: "Other" })
    const res = await client.api.tasks.activity({ params: { id: task.id }, query: {} })
    expect(res.status).toBe(200)
    if (res.status !== 200) return
    expect(res.body.items.map((e) => [e.eventType, e.actor])).toEqual([
      ["tasks.completed", "user"],
      ["tasks.updated", "user"],
      ["tasks.created", "user"],
    ])
    const all = await client.api.activity({ query: { limit: "2" } })
    expect(all.status === 200 && all.body.items.map((e) => e.taskId)).toEqual([other.id, task.id])
    const rest = await client.api.activity({
      query: { limit: "10", cursor: (all.body as { nextCursor: string }).nextCursor },
    })
    expect(rest.status === 200 && rest.body.items.length).toBe(2)
    const stranger = await signUp(app.baseUrl)
    expect((await stranger.client.api.tasks.activity({ params: { id: task.id }, query: {} })).status).toBe(
      404,
    )
  })
})

describe("suggestions: accept and dismiss", () => {
  it("accepting moves the due date through a tasks.updated by 'suggestion'; a second accept is a 409", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, {
      title: "Late",
      dueDate: new Date(Date.now() - 3_600_000).toISOString(),
    })
    const suggestionId = await eventually(
      async () => {
        const res = await client.api.suggestions.list({ query: { taskId: task.id } })
        return res.status === 200 ? res.body.items[0]?.id : undefined
      },
      { what: "the overdue suggestion" },
    )
    const accepted = await client.api.suggestions.accept({ params: { id: suggestionId } })
    expect(accepted.status).toBe(200)
    if (accepted.status !== 200) return
    expect(accepted.body.suggestion.status).toBe("accepted")
    expect(accepted.body.task.dueDate).toBe(accepted.body.suggestion.proposedChange.dueDate)
    const updated = (await eventsOf(task.id)).find((e) => e.event_type === "tasks.updated")
    expect(updated?.payload.actor).toBe("suggestion")
    expect((await client.api.suggestions.accept({ params: { id: suggestionId } })).status).toBe(409)
    expect((await client.api.suggestions.dismiss({ params: { id: suggestionId } })).status).toBe(409)
    const pending = await client.api.suggestions.list({ query: { status: "pending" } })
    expect(pending.status === 200 && pending.body.items).toEqual([])
    const history = await client.api.suggestions.list({ query: { status: "all" } })
    expect(history.status === 200 && history.body.items.map((s) => s.status)).toEqual(["accepted"])
  })
})

describe("settings", () => {
  it("stores the time zone and agent switch; rejects an unknown zone", async () => {
    const { client } = await signUp(app.baseUrl)
    expect((await client.api.me.getSettings()).body).toEqual({ timezone: "UTC", agentsEnabled: true })
    const put = await client.api.me.putSettings({ body: { timezone: "Europe/Berlin", agentsEnabled: false } })
    expect(put.status).toBe(200)
    expect((await client.api.me.getSettings()).body).toEqual({
      timezone: "Europe/Berlin",
      agentsEnabled: false,
    })
    const bad = await client.api.me.putSettings({ body: { timezone: "Mars/Olympus", agentsEnabled: true } })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ errors: [{ path: "body.timezone" }] })
  })
})

describe("rate limits", () => {
  it("sign-in failures of one client: three free, then a 429 with Retry-After (docs/security.md)", async () => {
    const { email } = await signUp(app.baseUrl)
    const anonymous = apiClient(app.baseUrl)
    const statuses: Array<number> = []
    for (let i = 0; i < 4; i++) {
      statuses.push((await anonymous.api.auth.signIn({ body: { email, password: "wrong password" } })).status)
    }
    expect(statuses).toEqual([401, 401, 401, 429])
    const res = await fetch(`${app.baseUrl}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "wrong password" }),
    })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
  })
})

describe("OpenAPI", () => {
  it("serves the document generated from the contract and an interactive reference", async () => {
    const doc = (await (await fetch(`${app.baseUrl}/api/openapi.json`)).json()) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.openapi).toBe("3.1.0")
    for (const path of [
      "/api/tasks",
      "/api/tasks/{id}",
      "/api/tasks/{id}/complete",
      "/api/suggestions/{id}/accept",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    expect(Object.keys(doc.paths["/api/tasks/{id}"]!).sort()).toEqual(["delete", "get", "patch"])
    expect(doc.components.schemas).toHaveProperty("Task")
    const docs = await fetch(`${app.baseUrl}/api/docs`)
    expect(docs.headers.get("content-type")).toContain("text/html")
    expect(await docs.text()).toContain('<script src="/api/docs/init.js"></script>')
    expect(await (await fetch(`${app.baseUrl}/api/docs/init.js`)).text()).toContain(
      'url: "/api/openapi.json"',
    )
  })
})

describe("OpenAPI against the server", () => {
  it("lists, under each operation, the error statuses the server answers it with, as problem+json", async () => {
    const doc = (await (await fetch(`${app.baseUrl}/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >
    }
    const { client, token, email } = await signUp(app.baseUrl)
    const created = await client.api.tasks.create({ body: { title: "Documented" } })
    if (created.status !== 201) throw new Error(`create: ${created.status}`)
    const signedIn = { authorization: `Bearer ${token}` }
    const json = { ...signedIn, "content-type": "application/json" }
    const url = (path: string) => `${app.baseUrl}${path}`
    const cases: Array<[string, string, number, () => Promise<Response>]> = [
      ["get", "/api/tasks", 401, () => fetch(url("/api/tasks"))],
      ["get", "/api/tasks", 400, () => fetch(url("/api/tasks?limit=0"), { headers: signedIn })],
      [
        "get",
        "/api/tasks/{id}",
        404,
        () => fetch(url(`/api/tasks/${crypto.randomUUID()}`), { headers: signedIn }),
      ],
      [
        "post",
        "/api/tasks",
        415,
        () =>
          fetch(url("/api/tasks"), {
            method: "POST",
            headers: { ...signedIn, "content-type": "text/plain" },
            body: "{}",
          }),
      ],
      [
        "patch",
        "/api/tasks/{id}",
        412,
        () =>
          fetch(url(`/api/tasks/${created.body.id}`), {
            method: "PATCH",
            headers: { ...json, "if-match": '"99"' },
            body: JSON.stringify({ title: "Stale" }),
          }),
      ],
      [
        "post",
        "/api/auth/sign-up",
        409,
        () =>
          fetch(url("/api/auth/sign-up"), {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email, password: "another-long-password", name: "Twin" }),
          }),
      ],
    ]
    for (const [method, path, status, send] of cases) {
      const res = await send()
      const where = `${method.toUpperCase()} ${path} ${status}`
      expect(res.status, where).toBe(status)
      expect(res.headers.get("content-type"), where).toContain("application/problem+json")
      const documented = doc.paths[path]?.[method]?.responses[String(status)]
      expect(Object.keys(documented?.content ?? {}), where).toEqual(["application/problem+json"])
    }
  })
})

describe("quick add", () => {
  it("understands dates, recurrences, #tags and !priority in the user's zone, and creates the task", async () => {
    const { client } = await signUp(app.baseUrl)
    await client.api.me.putSettings({ body: { timezone: "Europe/Berlin", agentsEnabled: true } })
    const preview = await client.api.tasks.parseQuick({
      body: { text: "Pay rent every month on the 1st #home !high" },
    })
    expect(preview.status).toBe(200)
    if (preview.status !== 200) return
    expect(preview.body).toMatchObject({
      title: "Pay rent",
      priority: "high",
      tags: ["home"],
      repeatFrom: "dueDate",
    })
    expect(preview.body.recurrence).toMatch(/FREQ=MONTHLY/)
    expect(preview.body.recurrence).toMatch(/BYMONTHDAY=1\b/)
    // The first due date is the 1st of a month, at 09:00 in Berlin.
    const due = new Date(preview.body.dueDate!)
    const berlin = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    }).format(due)
    expect(berlin).toBe("1, 09:00")
    expect(preview.body.recognized.map((r) => r.kind).sort()).toEqual(["priority", "recurrence", "tag"])
    const before = await client.api.tasks.list({ query: {} })
    expect(before.status === 200 && before.body.items).toEqual([])

    const res = await client.api.tasks.quick({ body: { text: "Buy milk tomorrow 9am #errands !high" } })
    expect(res.status).toBe(201)
    if (res.status !== 201) return
    expect(res.body.task).toMatchObject({
      title: "Buy milk",
      priority: "high",
      tags: ["errands"],
      recurrence: null,
    })
    expect(res.body.task.dueDate).toBe(res.body.parsed.dueDate)
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
    }).format(new Date(res.body.task.dueDate!))
    expect(local).toBe("09:00")
    expect((await eventsOf(res.body.task.id)).map((e) => e.event_type)).toEqual(["tasks.created"])
  })

  it("a line with nothing to understand becomes the title; an empty line is a 400", async () => {
    const { client } = await signUp(app.baseUrl)
    const plain = await client.api.tasks.quick({ body: { text: "Think about it" } })
    expect(plain.status === 201 && plain.body.task).toMatchObject({
      title: "Think about it",
      dueDate: null,
      tags: [],
    })
    expect((await client.api.tasks.quick({ body: { text: "   " } })).status).toBe(400)
  })
})

describe("estimateMinutes, end to end", () => {
  const prioritySetAt = async (taskId: string) =>
    (
      await queryRows<{ priority_set_at: Date | null }>(
        app.databaseUrl,
        "SELECT priority_set_at FROM tasks WHERE id = $1",
        [taskId],
      )
    )[0]!.priority_set_at

  it("is created, listed, changed and cleared (null) through the API, and travels in the events", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, { title: "Write the report", estimateMinutes: 90 })
    expect(task.estimateMinutes).toBe(90)
    const plain = await created(client, { title: "No idea how long" })
    expect(plain.estimateMinutes).toBeNull()

    const list = await client.api.tasks.list({ query: { sort: "title" } })
    expect(list.status === 200 && list.body.items.map((t) => [t.title, t.estimateMinutes])).toEqual([
      ["No idea how long", null],
      ["Write the report", 90],
    ])

    const changed = await client.api.tasks.update({ params: { id: task.id }, body: { estimateMinutes: 45 } })
    expect(changed.status === 200 && changed.body.estimateMinutes).toBe(45)
    const cleared = await client.api.tasks.update({
      params: { id: task.id },
      body: { estimateMinutes: null },
    })
    expect(cleared.status === 200 && cleared.body).toMatchObject({ estimateMinutes: null, version: 3 })
    const read = await client.api.tasks.get({ params: { id: task.id } })
    expect(read.status === 200 && read.body.estimateMinutes).toBeNull()

    const events = await eventsOf(task.id)
    expect(events[0]!.payload).toMatchObject({ eventType: "tasks.created", estimateMinutes: 90 })
    expect(events.slice(1).map((e) => e.payload.changes)).toEqual([
      { estimateMinutes: { from: 90, to: 45 } },
      { estimateMinutes: { from: 45, to: null } },
    ])
  })

  it("a recurring task's next occurrence keeps its estimate", async () => {
    const { client } = await signUp(app.baseUrl)
    const task = await created(client, {
      title: "Water the plants",
      dueDate: "2030-01-01T09:00:00Z",
      recurrence: "FREQ=WEEKLY",
      estimateMinutes: 10,
    })
    const done = await client.api.tasks.complete({ params: { id: task.id } })
    expect(done.status === 200 && done.body.next?.estimateMinutes).toBe(10)
  })

  it("quick add reads ~30m, ~2h, ~1h30m and ~90m, leaves the title clean, and marks the priority it read as the user's", async () => {
    const { client } = await signUp(app.baseUrl)
    for (const [text, minutes, title] of [
      ["Call the bank ~30m", 30, "Call the bank"],
      ["Deep work ~2h tomorrow 9am", 120, "Deep work"],
      ["Review slides ~1h30m #work", 90, "Review slides"],
      ["Review notes ~90m !high", 90, "Review notes"],
    ] as const) {
      const preview = await client.api.tasks.parseQuick({ body: { text } })
      expect(preview.status === 200 && preview.body.recognized.some((r) => r.kind === "estimate")).toBe(true)
      const res = await client.api.tasks.quick({ body: { text } })
      expect(res.status).toBe(201)
      if (res.status !== 201) return
      expect([res.body.task.title, res.body.task.estimateMinutes, res.body.parsed.estimateMinutes]).toEqual([
        title,
        minutes,
        minutes,
      ])
      // `!high` is the user's explicit choice; no priority in the text is not.
      expect((await prioritySetAt(res.body.task.id)) !== null).toBe(text.includes("!high"))
    }
  })

  it("a priority in a create or a PATCH is recorded as the user's choice; other changes leave it alone", async () => {
    const { client } = await signUp(app.baseUrl)
    const unset = await created(client, { title: "Default priority" })
    expect(await prioritySetAt(unset.id)).toBeNull()
    await client.api.tasks.update({ params: { id: unset.id }, body: { title: "Renamed" } })
    expect(await prioritySetAt(unset.id)).toBeNull()
    await client.api.tasks.update({ params: { id: unset.id }, body: { priority: "low" } })
    expect(await prioritySetAt(unset.id)).toBeInstanceOf(Date)
    const chosen = await created(client, { title: "Chosen", priority: "urgent" })
    expect(await prioritySetAt(chosen.id)).toBeInstanceOf(Date)
  })
})
