import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { CursorKey, cursorKeyFromSecret, encodeCursor } from "@todo/core"
import { CONTENT_SECURITY_POLICY } from "@todo/runtime"
import { apiClient, eventually, queryRows, signUp } from "@todo/testkit"
import { Effect, Redacted } from "effect"
import { Agent, fetch as undiciFetch } from "undici"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, TEST_AUTH_SECRET, type TestApp } from "./support/TestApp.ts"

/**
 * The hostile-input suite (issue 12): one block per class of input that used to answer 5xx, slip past a check, or
 * lock someone out. Every answer to bad input is a 4xx problem+json that writes nothing.
 */

let app: TestApp
let token: string
beforeAll(async () => {
  app = await startTestApp({ env: { SSE_MAX_STREAMS_PER_USER: "2" } })
  token = (await signUp(app.baseUrl, "Mallory")).token
})
afterAll(async () => {
  await app?.stop()
})

interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: { status?: number; errors?: Array<{ path: string }> } & Record<string, unknown>
  readonly headers: Headers
}

const send = async (
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> => {
  const auth = options.token === null ? {} : { authorization: `Bearer ${options.token ?? token}` }
  const res = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: {
      ...auth,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  let parsed: Answer["body"] = {}
  try {
    parsed = JSON.parse(text) as Answer["body"]
  } catch {}
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    body: parsed,
    headers: res.headers,
  }
}

const count = async (table: string) =>
  Number((await queryRows<{ n: string }>(app.databaseUrl, `SELECT count(*) AS n FROM ${table}`))[0]!.n)

const expectProblem = (res: Answer, status: number, path?: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(res.contentType).toContain("application/problem+json")
  if (path !== undefined) expect(res.body.errors?.map((e) => e.path)).toContain(path)
}

const createTask = async (body: Record<string, unknown> = { title: "target" }) => {
  const res = await send("POST", "/api/tasks", body)
  expect(res.status).toBe(201)
  return res.body as { id: string }
}

describe("NUL characters and unpaired surrogates are a 400 at the schema edge, wherever they are sent", () => {
  for (const [name, bad] of [
    ["NUL", "a\u0000b"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "\udc00b"],
  ] as const) {
    it(`${name}: bodies, query parameters, PATCH, quick add, chat, sign-up, settings`, async () => {
      const task = await createTask()
      const tasksBefore = await count("tasks")
      const outboxBefore = await count("outbox")
      expectProblem(await send("POST", "/api/tasks", { title: bad }), 400, "body.title")
      expectProblem(
        await send("POST", "/api/tasks", { title: "t", description: bad }),
        400,
        "body.description",
      )
      expectProblem(await send("POST", "/api/tasks", { title: "t", tags: [bad] }), 400, "body.tags.0")
      expectProblem(await send("POST", "/api/tasks", { title: "t", recurrence: `FREQ=DAILY;X=${bad}` }), 400)
      expectProblem(await send("PATCH", `/api/tasks/${task.id}`, { title: bad }), 400, "body.title")
      expectProblem(await send("POST", "/api/tasks/quick", { text: `buy ${bad} milk` }), 400, "body.text")
      expectProblem(await send("POST", "/api/tasks/quick/parse", { text: bad }), 400, "body.text")
      expectProblem(await send("POST", "/api/chat", { message: bad }), 400, "body.message")
      expectProblem(await send("PUT", "/api/me/settings", { timezone: bad, agentsEnabled: true }), 400)
      // A URL carries UTF-8, in which a lone surrogate cannot be written: only NUL reaches a query parameter.
      if (bad.includes("\u0000")) {
        const q = encodeURIComponent(bad)
        expectProblem(await send("GET", `/api/tasks?tag=${q}`), 400, "query.tag")
        expectProblem(await send("GET", `/api/tasks?q=${q}`), 400, "query.q")
        expectProblem(await send("GET", `/api/tasks?cursor=${q}`), 400, "query.cursor")
      }
      expectProblem(
        await send("POST", "/api/auth/sign-up", {
          email: "n@example.com",
          password: "a long passphrase",
          name: bad,
        }),
        400,
        "body.name",
      )
      expectProblem(
        await send("POST", "/api/auth/sign-in", { email: "n@example.com", password: `pass${bad}word` }),
        400,
        "body.password",
      )
      expect(await count("tasks")).toBe(tasksBefore)
      expect(await count("outbox")).toBe(outboxBefore)
    })
  }

  it("a surrogate pair (an emoji) is text and is stored as sent", async () => {
    const res = await send("POST", "/api/tasks", { title: "party 🎉", tags: ["🎉"] })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ title: "party 🎉", tags: ["🎉"] })
  })
})

describe("email addresses: one rule for the contract and Better Auth", () => {
  const shapes = [
    "a@b.c",
    "x..y@example.com",
    "jös@example.com",
    '"quoted"@example.com',
    "trailing@example.com.",
    "zero\u200bwidth@example.com",
  ]
  for (const email of shapes) {
    it(`${JSON.stringify(email)} is a 400 on sign-up and sign-in, never a 500`, async () => {
      const usersBefore = await count(`"user"`)
      expectProblem(
        await send(
          "POST",
          "/api/auth/sign-up",
          { email, password: "a long passphrase", name: "E" },
          { token: null },
        ),
        400,
        "body.email",
      )
      expectProblem(
        await send("POST", "/api/auth/sign-in", { email, password: "a long passphrase" }, { token: null }),
        400,
        "body.email",
      )
      expect(await count(`"user"`)).toBe(usersBefore)
    })
  }

  it("sign-up says 'email exists' only when it does: a weak password is a 400, a race for one address a 409", async () => {
    const email = `race-${Date.now()}@example.com`
    expectProblem(
      await send("POST", "/api/auth/sign-up", { email, password: "1234567890", name: "R" }, { token: null }),
      400,
      "body.password",
    )
    const both = await Promise.all(
      [1, 2, 3].map(() =>
        send(
          "POST",
          "/api/auth/sign-up",
          { email, password: "a long passphrase", name: "R" },
          { token: null },
        ),
      ),
    )
    expect(both.map((r) => r.status).sort()).toEqual([201, 409, 409])
    for (const r of both.filter((r) => r.status === 409)) expectProblem(r, 409, "body.email")
  })
})

describe("cursors are authenticated by the server's key and their values checked by schema", () => {
  // The server's key, derived from the secret the test app runs with.
  const key = Effect.runSync(
    Effect.gen(function* () {
      return yield* CursorKey
    }).pipe(Effect.provide(cursorKeyFromSecret(Redacted.make(TEST_AUTH_SECRET)))),
  )
  const forge = (payload: { s: string; v: unknown; id: string }) => encodeCursor(key, payload)
  const plain = (payload: object) => Buffer.from(JSON.stringify(payload)).toString("base64url")

  it("a valid cursor pages; a forged, tampered, foreign or ill-typed one is a 400 on every list", async () => {
    for (let i = 0; i < 3; i++) await createTask({ title: `page ${i}` })
    const first = await send("GET", "/api/tasks?limit=1")
    const cursor = first.body.nextCursor as string
    expect((await send("GET", `/api/tasks?limit=1&cursor=${cursor}`)).status).toBe(200)

    const [body, mac] = cursor.split(".") as [string, string]
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as {
      s: string
      v: string
      id: string
    }
    const bad = {
      // The old scheme: plain base64url JSON, computable by anyone.
      unsigned: plain(payload),
      "tampered value": `${plain({ ...payload, v: "yesterday" })}.${mac}`,
      "tampered id": `${plain({ ...payload, id: "nope" })}.${mac}`,
      "truncated MAC": `${body}.${mac.slice(0, 10)}`,
      // Signed with the server's own key, so only the schema stands between these values and SQL.
      "signed, value not a timestamp": forge({ ...payload, v: "not a date" }),
      "signed, id not a uuid": forge({ ...payload, id: "1; DROP TABLE tasks" }),
      "signed, value an object": forge({ ...payload, v: { $gt: "" } }),
      "another sort": forge({ ...payload, s: "title:asc:0" }),
    }
    for (const [name, c] of Object.entries(bad)) {
      const res = await send("GET", `/api/tasks?limit=1&cursor=${encodeURIComponent(c)}`)
      expect(res.status, name).toBe(400)
      expectProblem(res, 400, "query.cursor")
    }
    const forged = plain({ s: "x", v: "x", id: "x" })
    const task = await createTask()
    for (const path of [
      "/api/suggestions",
      "/api/notifications",
      "/api/chat",
      "/api/activity",
      `/api/tasks/${task.id}/activity`,
    ]) {
      expectProblem(await send("GET", `${path}?cursor=${forged}`), 400, "query.cursor")
      const signed = forge({ s: "suggestions:pending:", v: "x", id: "y" })
      expectProblem(await send("GET", `${path}?cursor=${signed}`), 400, "query.cursor")
    }
  })
})

describe("instants are limited to the years 1–9999", () => {
  it("year 0, and years pushed out of range by their offset, are a 400; the bounds themselves are accepted", async () => {
    const before = await count("tasks")
    for (const dueDate of [
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:30:00+01:00",
      "9999-12-31T23:30:00-01:00",
    ]) {
      expectProblem(await send("POST", "/api/tasks", { title: "t", dueDate }), 400, "body.dueDate")
      expectProblem(await send("POST", "/api/tasks", { title: "t", remindAt: dueDate }), 400, "body.remindAt")
      expectProblem(
        await send("GET", `/api/tasks?dueBefore=${encodeURIComponent(dueDate)}`),
        400,
        "query.dueBefore",
      )
      expectProblem(
        await send("GET", `/api/tasks?dueAfter=${encodeURIComponent(dueDate)}`),
        400,
        "query.dueAfter",
      )
    }
    expect(await count("tasks")).toBe(before)
    const early = await send("POST", "/api/tasks", { title: "early", dueDate: "0001-01-01T00:00:00Z" })
    const late = await send("POST", "/api/tasks", { title: "late", dueDate: "9999-12-31T23:59:59Z" })
    expect([early.status, late.status]).toEqual([201, 201])
    expect(late.body.dueDate).toBe("9999-12-31T23:59:59.000Z")
    expect((await send("GET", "/api/tasks?sort=dueDate&dueBefore=0001-01-02T00:00:00Z")).status).toBe(200)
  })
})

describe("oversized bodies are a 413, chunked or not", () => {
  const big = JSON.stringify({ title: "a", description: "x".repeat(2_000_000) })
  it("a chunked 2 MB body (no Content-Length) is a 413 problem and writes nothing", async () => {
    const before = await count("tasks")
    const stream = new ReadableStream({
      start(controller) {
        const bytes = new TextEncoder().encode(big)
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024))
        controller.close()
      },
    })
    const res = await fetch(`${app.baseUrl}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
    expect(await count("tasks")).toBe(before)
  })

  it("a declared 2 MB body is refused before it is read", async () => {
    expectProblem(await send("POST", "/api/tasks", big), 413)
  })
})

describe("every error the server writes is problem+json", () => {
  it("malformed percent-encoding in a path is a 400 problem, an unknown path a 404 problem", async () => {
    for (const path of ["/api/tasks/%E0%A4%A", "/api/%", "/%E0%A4%A", "/%"]) {
      const res = await send("GET", path)
      expectProblem(res, 400)
    }
    for (const path of ["/api/nothing", "/api/tasks/1/2/3"]) expectProblem(await send("GET", path), 404)
    expectProblem(await send("DELETE", "/api/me"), 404)
  })
})

describe("admin is a role granted by the operator command, never by signing up", () => {
  const admin = (...args: Array<string>) =>
    promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, "../../api/src/bin/admin.ts"), ...args],
      {
        env: { ...process.env, DATABASE_URL: app.databaseUrl, ADMIN_ACTOR: "ops-test" },
      },
    )

  it("grant opens the admin routes, revoke closes them, both are in the accounts' activity log", async () => {
    // The address the old ADMIN_EMAILS would have listed: signing up with it is not enough.
    const candidate = await signUp(app.baseUrl, "Candidate")
    const deadLetters = () => candidate.client.api.admin.deadLetters.list({ query: {} })
    expect((await deadLetters()).status).toBe(403)

    const granted = await admin("grant", candidate.email.toUpperCase())
    expect(granted.stdout).toContain(`${candidate.email} is now an admin`)
    expect((await deadLetters()).status).toBe(200)
    expect((await admin("grant", candidate.email)).stdout).toContain("was already an admin")
    expect((await admin("list")).stdout).toContain(`${candidate.email}  granted`)

    expect((await admin("revoke", candidate.email)).stdout).toContain("is no longer an admin")
    expect((await deadLetters()).status).toBe(403)

    const log = await queryRows<{ action: string; actor: string; email: string }>(
      app.databaseUrl,
      "SELECT action, actor, email FROM account_activity WHERE user_id = $1 ORDER BY id",
      [candidate.user.id],
    )
    expect(log).toEqual([
      { action: "role.granted", actor: "ops-test", email: candidate.email },
      { action: "role.revoked", actor: "ops-test", email: candidate.email },
    ])
    expect((await admin("log")).stdout).toMatch(/role\.revoked {2}\S+ {2}by ops-test/)
  })

  it("an unknown account or a bad command fails with one line and a non-zero exit", async () => {
    await expect(admin("grant", "nobody-here@example.com")).rejects.toMatchObject({
      code: 1,
      stderr: "no account has the email nobody-here@example.com\n",
    })
    await expect(admin("promote", "x@example.com")).rejects.toMatchObject({ code: 2 })
  })
})

describe("sign-in throttling cannot be turned against the owner", () => {
  /** A client at its own loopback address: the server sees another remote address, no proxy header involved. */
  const clientAt = (address: string) => {
    const dispatcher = new Agent({ localAddress: address })
    return async (email: string, password: string) => {
      const res = await undiciFetch(`${app.baseUrl}/api/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
        dispatcher,
      })
      await res.text()
      return { status: res.status, retryAfter: Number(res.headers.get("retry-after") ?? "0") }
    }
  }

  it("a stranger's wrong passwords slow the stranger; the owner signs in from another client at once", async () => {
    const owner = await signUp(app.baseUrl, "Owner")
    const attacker = clientAt("127.0.0.2")
    const ownerDevice = clientAt("127.0.0.3")
    const answers = []
    for (let i = 0; i < 6; i++) answers.push(await attacker(owner.email, `wrong guess ${i}`))
    // Three free failures, then a wait before each next attempt.
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429, 429, 429])
    expect(answers[3]!.retryAfter).toBeGreaterThanOrEqual(1)
    expect((await ownerDevice(owner.email, owner.password)).status).toBe(200)
    // The owner's own typo does not use up the stranger's failures, nor the other way round.
    expect((await ownerDevice(owner.email, "typo")).status).toBe(401)
    expect((await ownerDevice(owner.email, owner.password)).status).toBe(200)
    expect((await attacker(owner.email, owner.password)).status).toBe(429)
  })
})

describe("time zones: canonical IANA names that Intl and PostgreSQL both know", () => {
  it("offsets and unknown names are a 400; aliases are stored under their canonical name; sign-up takes a zone", async () => {
    for (const timezone of ["+01:00", "-05:00", "Mars/Olympus", "EST5EDT-"]) {
      expectProblem(
        await send("PUT", "/api/me/settings", { timezone, agentsEnabled: true }),
        400,
        "body.timezone",
      )
    }
    const alias = await send("PUT", "/api/me/settings", { timezone: "US/Pacific", agentsEnabled: true })
    expect(alias.body).toEqual({ timezone: "America/Los_Angeles", agentsEnabled: true })

    const email = `tz-${Date.now()}@example.com`
    const signed = await send(
      "POST",
      "/api/auth/sign-up",
      { email, password: "a long passphrase", name: "Tz", timezone: "Europe/Berlin" },
      { token: null },
    )
    expect(signed.status).toBe(201)
    const tok = (signed.body as { token: string }).token
    expect((await send("GET", "/api/me/settings", undefined, { token: tok })).body).toMatchObject({
      timezone: "Europe/Berlin",
    })
    expectProblem(
      await send(
        "POST",
        "/api/auth/sign-up",
        {
          email: `tz2-${Date.now()}@example.com`,
          password: "a long passphrase",
          name: "Tz",
          timezone: "+01:00",
        },
        { token: null },
      ),
      400,
      "body.timezone",
    )
  })

  it("a bad zone already stored reads as UTC and dead-letters none of the user's events", async () => {
    const victim = await signUp(app.baseUrl, "Pacific New")
    await queryRows(
      app.databaseUrl,
      `INSERT INTO user_settings (user_id, timezone) VALUES ($1, 'US/Pacific-New')
       ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone`,
      [victim.user.id],
    )
    expect((await victim.client.api.me.getSettings()).body).toMatchObject({ timezone: "UTC" })
    const anHourAgo = new Date(Date.now() - 3600_000).toISOString()
    const created = await victim.client.api.tasks.create({
      body: { title: "due already", dueDate: anHourAgo },
    })
    expect(created.status).toBe(201)
    // The overdue agent handles the event, in the user's zone (it proposes a new date on a local day). (Not the
    // prioritization agent: a priority given with the task is the user's choice, left alone for a day.)
    await eventually(
      async () => {
        const res = await victim.client.api.suggestions.list({ query: {} })
        return res.status === 200 && res.body.items.some((s) => s.type === "overdue") ? true : undefined
      },
      { timeoutMs: 10_000, what: "the overdue suggestion" },
    )
    expect(await count("dead_letters")).toBe(0)
  })
})

describe("security headers on UI and API responses", () => {
  it("every kind of response carries the CSP, nosniff, frame-ancestors and the referrer policy", async () => {
    for (const [path, auth] of [
      ["/api/tasks", true],
      ["/api/tasks", false],
      ["/health", false],
      ["/api/docs", false],
      ["/api/openapi.json", false],
      ["/", false],
      ["/api/nothing", false],
      ["/api/%", false],
    ] as const) {
      const res = await send("GET", path, undefined, auth ? {} : { token: null })
      expect(res.headers.get("content-security-policy"), path).toBe(CONTENT_SECURITY_POLICY)
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff")
      expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin")
      expect(res.headers.get("x-frame-options"), path).toBe("DENY")
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline")
  })

  it("the API reference page names no other origin and serves its assets itself", async () => {
    const page = await fetch(`${app.baseUrl}/api/docs`)
    const html = await page.text()
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/<script>(?!<\/script>)/)
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(refs.length).toBeGreaterThanOrEqual(4)
    for (const ref of refs) {
      expect(ref.startsWith("/"), ref).toBe(true)
      const asset = await fetch(`${app.baseUrl}${ref}`)
      expect(asset.status, ref).toBe(200)
      await asset.arrayBuffer()
    }
  })
})

describe("passwords and live streams", () => {
  it("short, common, repetitive or sequential passwords are refused with the field path", async () => {
    for (const password of [
      "12345678",
      "        ",
      "          ",
      "1234567890",
      "password123",
      "qwertyuiop",
      "abcdefghij",
    ]) {
      const res = await send(
        "POST",
        "/api/auth/sign-up",
        { email: `pw-${Date.now()}@example.com`, password, name: "P" },
        { token: null },
      )
      expectProblem(res, 400, "body.password")
    }
    const ok = await apiClient(app.baseUrl).api.auth.signUp({
      body: { email: `pw-ok-${Date.now()}@example.com`, password: "violet staple 42 lantern", name: "P" },
    })
    expect(ok.status).toBe(201)
  })

  it("a user's streams are capped: opening one more closes the oldest", async () => {
    const openStream = async () => {
      const controller = new AbortController()
      const res = await fetch(`${app.baseUrl}/api/stream`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      })
      expect(res.status).toBe(200)
      const reader = res.body!.getReader()
      await reader.read() // ": connected"
      return { reader, close: () => controller.abort() }
    }
    const first = await openStream()
    const second = await openStream()
    const third = await openStream()
    // The oldest stream ends (after what it had already sent, e.g. its first ping).
    let done = false
    while (!done) done = (await first.reader.read()).done
    expect(done).toBe(true)
    second.close()
    third.close()
  })
})

describe("estimates: whole minutes from 1 to 1440, nothing else", () => {
  it("non-integers, out-of-range, huge, negative zero, strings and booleans are a 400 naming the field, on create and PATCH; the task keeps its estimate", async () => {
    const task = await createTask({ title: "Estimated", estimateMinutes: 60 })
    for (const raw of [
      "0",
      "-0",
      "1441",
      "2.5",
      "1e3000",
      "9007199254740993",
      '"30"',
      '"abc"',
      "true",
      "[30]",
      "{}",
    ]) {
      const body = `{"title":"x","estimateMinutes":${raw}}`
      expectProblem(await send("POST", "/api/tasks", body), 400, "body.estimateMinutes")
      const patch = await send("PATCH", `/api/tasks/${task.id}`, `{"estimateMinutes":${raw}}`)
      expectProblem(patch, 400, "body.estimateMinutes")
    }
    const read = await send("GET", `/api/tasks/${task.id}`)
    expect((read.body as { estimateMinutes: unknown }).estimateMinutes).toBe(60)
  })

  it("quick add takes an out-of-range estimate as title text, never as a 4xx or 5xx", async () => {
    for (const text of ["Nap ~0m", "Trip ~1441m", "Trip ~25h", "Odd ~99999h99999m", "~m", "~h"]) {
      const res = await send("POST", "/api/tasks/quick", { text })
      expect(res.status, text).toBe(201)
      const { task } = res.body as { task: { title: string; estimateMinutes: number | null } }
      expect(task.estimateMinutes, text).toBeNull()
      expect(task.title, text).toContain("~")
    }
  })
})
