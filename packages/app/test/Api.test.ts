import { apiClient, eventually, queryRows, signUp } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

const SESSION_CACHE_MS = 300
let app: TestApp
beforeAll(async () => {
  // A short session cache: the revocation test below waits it out (the 5 s default is tested on the test clock in
  // packages/api/test/auth/SessionRevocation.test.ts).
  app = await startTestApp({ env: { AUTH_SESSION_CACHE_MS: String(SESSION_CACHE_MS) } })
})
afterAll(async () => {
  await app?.stop()
})

const count = async (table: string) =>
  Number((await queryRows<{ n: string }>(app.databaseUrl, `SELECT count(*) AS n FROM ${table}`))[0]!.n)

describe("accounts", () => {
  it("signs up, signs in, answers /me, signs out", async () => {
    const { client, email, password, user } = await signUp(app.baseUrl, "Ada")
    const me = await client.api.me.get()
    expect(me.status).toBe(200)
    expect(me.body).toEqual(user)

    const anonymous = apiClient(app.baseUrl)
    const wrong = await anonymous.api.auth.signIn({ body: { email, password: "wrong password" } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get("content-type")).toMatch(/application\/problem\+json/)

    const signedIn = await anonymous.api.auth.signIn({ body: { email: email.toUpperCase(), password } })
    expect(signedIn.status).toBe(200)
    if (signedIn.status !== 200) return
    expect(signedIn.body.user.id).toBe(user.id)

    const second = apiClient(app.baseUrl, signedIn.body.token)
    expect((await second.api.auth.signOut()).status).toBe(204)
    expect((await second.api.me.get()).status).toBe(401)
    expect((await client.api.me.get()).status).toBe(200)
  })

  it("refuses a session revoked by another replica once AUTH_SESSION_CACHE_MS has passed", async () => {
    const { client, token } = await signUp(app.baseUrl, "Grace")
    expect((await client.api.me.get()).status).toBe(200)
    // Another replica's sign-out: the row is gone, this process still remembers the token for a moment.
    await queryRows(app.databaseUrl, `DELETE FROM "session" WHERE token = $1`, [token])
    await eventually(async () => ((await client.api.me.get()).status === 401 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `the revoked token to be refused after the ${SESSION_CACHE_MS} ms cache`,
    })
    expect((await client.api.me.get()).status).toBe(401)
  })

  it("refuses a second account with the same email (409) and a short password (400)", async () => {
    const { email } = await signUp(app.baseUrl)
    const again = await apiClient(app.baseUrl).api.auth.signUp({
      body: { email, password: "another password", name: "Twin" },
    })
    expect(again.status).toBe(409)
    const short = await apiClient(app.baseUrl).api.auth.signUp({
      body: { email: "short@example.com", password: "123", name: "S" },
    })
    expect(short.status).toBe(400)
    expect(short.body).toMatchObject({ status: 400, errors: [{ path: "body.password" }] })
  })

  it("answers 401 problem+json without a token or with a bad one", async () => {
    const res = await fetch(`${app.baseUrl}/api/tasks`)
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toContain("Bearer")
    expect(await res.json()).toMatchObject({ status: 401, title: "Unauthorized" })
    const bad = await apiClient(app.baseUrl, "x".repeat(32)).api.tasks.list({ query: {} })
    expect(bad.status).toBe(401)
  })
})

describe("tasks", () => {
  it("creates a task and writes its tasks.created event to the outbox in the same transaction", async () => {
    const { client, user } = await signUp(app.baseUrl)
    const created = await client.api.tasks.create({
      body: { title: "  Pay rent  ", tags: ["Home", "home", "bills"], dueDate: "2030-01-01T10:00:00+01:00" },
      headers: { "x-correlation-id": "corr-create-1" },
    })
    expect(created.status).toBe(201)
    if (created.status !== 201) return
    expect(created.headers.get("x-correlation-id")).toBe("corr-create-1")
    expect(created.body).toMatchObject({
      title: "Pay rent",
      tags: ["home", "bills"],
      priority: "medium",
      dueDate: "2030-01-01T09:00:00.000Z",
      description: null,
      recurrence: null,
      repeatFrom: "dueDate",
      completed: false,
      completedAt: null,
      version: 1,
    })
    const events = await queryRows<{
      event_type: string
      payload: Record<string, unknown>
      correlation_id: string
    }>(app.databaseUrl, "SELECT event_type, payload, correlation_id FROM outbox WHERE task_id = $1", [
      created.body.id,
    ])
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ event_type: "tasks.created", correlation_id: "corr-create-1" })
    expect(events[0]!.payload).toMatchObject({
      eventType: "tasks.created",
      taskId: created.body.id,
      userId: user.id,
      title: "Pay rent",
      priority: "medium",
      dueDate: "2030-01-01T09:00:00.000Z",
      recurring: false,
      schemaVersion: 1,
      actor: "user",
    })

    const got = await client.api.tasks.get({ params: { id: created.body.id } })
    expect(got.status).toBe(200)
    expect(got.body).toEqual(created.body)
    const listed = await client.api.tasks.list({ query: {} })
    expect(listed.status).toBe(200)
    if (listed.status !== 200) return
    expect(listed.body.items.map((t) => t.id)).toEqual([created.body.id])
    expect(listed.body.nextCursor).toBeNull()
  })

  it("hides another user's task behind a 404, for reading and for listing", async () => {
    const alice = await signUp(app.baseUrl, "Alice")
    const bob = await signUp(app.baseUrl, "Bob")
    const task = await alice.client.api.tasks.create({ body: { title: "Alice's secret" } })
    if (task.status !== 201) throw new Error("create failed")
    const peek = await bob.client.api.tasks.get({ params: { id: task.body.id } })
    expect(peek.status).toBe(404)
    expect(peek.body).toMatchObject({ status: 404, title: "Not Found" })
    const list = await bob.client.api.tasks.list({ query: {} })
    expect(list.status === 200 && list.body.items).toEqual([])
  })

  it("an open task created already overdue gets an overdue suggestion within 2 seconds (one-process mode)", async () => {
    const { client } = await signUp(app.baseUrl)
    const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString()
    const created = await client.api.tasks.create({
      body: { title: "File taxes", dueDate: yesterday },
      headers: { "x-correlation-id": "corr-overdue-1" },
    })
    if (created.status !== 201) throw new Error("create failed")
    const started = Date.now()
    const suggestion = await eventually(
      async () => {
        const res = await client.api.suggestions.list({ query: {} })
        return res.status === 200 ? res.body.items[0] : undefined
      },
      { timeoutMs: 2_000, what: "the overdue suggestion" },
    )
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(suggestion).toMatchObject({
      taskId: created.body.id,
      type: "overdue",
      status: "pending",
      sourceEvent: "tasks.created",
      correlationId: "corr-overdue-1",
    })
    expect(new Date(suggestion.proposedChange.dueDate!).getTime()).toBeGreaterThan(Date.now())
  })
})

describe("bad input writes nothing and answers 4xx problem+json with the field path", () => {
  const cases: Array<{ name: string; body: string; contentType?: string; status: number; path?: string }> = [
    { name: "missing title", body: JSON.stringify({}), status: 400, path: "body.title" },
    { name: "blank title", body: JSON.stringify({ title: "   " }), status: 400, path: "body.title" },
    {
      name: "title too long",
      body: JSON.stringify({ title: "x".repeat(201) }),
      status: 400,
      path: "body.title",
    },
    { name: "wrong type", body: JSON.stringify({ title: 42 }), status: 400, path: "body.title" },
    {
      name: "unknown field",
      body: JSON.stringify({ title: "a", owner: "root" }),
      status: 400,
      path: "body.owner",
    },
    {
      name: "bad priority",
      body: JSON.stringify({ title: "a", priority: "extreme" }),
      status: 400,
      path: "body.priority",
    },
    {
      name: "bad date",
      body: JSON.stringify({ title: "a", dueDate: "tomorrow" }),
      status: 400,
      path: "body.dueDate",
    },
    ...[0, 1441, 2.5, "abc"].map((estimateMinutes) => ({
      name: `estimate ${JSON.stringify(estimateMinutes)}`,
      body: JSON.stringify({ title: "a", estimateMinutes }),
      status: 400,
      path: "body.estimateMinutes",
    })),
    {
      name: "21 tags",
      body: JSON.stringify({ title: "a", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }),
      status: 400,
      path: "body.tags",
    },
    { name: "malformed JSON", body: '{"title": "a"', status: 400, path: "body" },
    { name: "an array", body: "[]", status: 400, path: "body" },
    {
      name: "not JSON content",
      body: "title=a",
      contentType: "application/x-www-form-urlencoded",
      status: 415,
    },
    {
      name: "over 1 MB",
      body: JSON.stringify({ title: "a", description: "x".repeat(1_100_000) }),
      status: 413,
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const { token } = await signUp(app.baseUrl)
      const before = await count("tasks")
      const outboxBefore = await count("outbox")
      const res = await fetch(`${app.baseUrl}/api/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": c.contentType ?? "application/json" },
        body: c.body,
      })
      expect(res.status).toBe(c.status)
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/)
      const problem = (await res.json()) as { status: number; errors?: Array<{ path: string }> }
      expect(problem.status).toBe(c.status)
      if (c.path) expect(problem.errors?.map((e) => e.path)).toContain(c.path)
      expect(await count("tasks")).toBe(before)
      expect(await count("outbox")).toBe(outboxBefore)
    })
  }

  it("a non-uuid id is a 400 on the path parameter; an unknown route is a 404 problem", async () => {
    const { token } = await signUp(app.baseUrl)
    const res = await fetch(`${app.baseUrl}/api/tasks/not-a-uuid`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: Array<{ path: string }> }).errors[0]!.path).toBe("params.id")
    const missing = await fetch(`${app.baseUrl}/api/nothing-here`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get("content-type")).toMatch(/problem\+json/)
  })
})
