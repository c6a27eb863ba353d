import { randomUUID } from "node:crypto"
import { apiClient, queryRows } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

const adminEmail = `ops-${randomUUID()}@example.com`
let app: TestApp
let admin: ReturnType<typeof apiClient>

beforeAll(async () => {
  app = await startTestApp()
  const res = await apiClient(app.baseUrl).api.auth.signUp({
    body: { email: adminEmail, password: "correct horse battery", name: "Ops" },
  })
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status}`)
  admin = apiClient(app.baseUrl, res.body.token)
  // The admin role is the operator command's to grant (packages/api/src/bin/admin.ts, tested apart).
  await queryRows(
    app.databaseUrl,
    `INSERT INTO user_roles (user_id, role, granted_by) SELECT id, 'admin', 'test' FROM "user" WHERE email = $1`,
    [adminEmail],
  )
  // Seven dead letters, two of them seen at the very same instant (the id breaks the tie).
  await queryRows(
    app.databaseUrl,
    `INSERT INTO dead_letters (event_id, event_type, topic, envelope, error, attempts, last_seen_at)
     SELECT 'evt-' || n, 'tasks.created', 'tasks-lifecycle-dlq', '{}', 'boom', 6,
            timestamp '2026-01-01 00:00:00.123456' + make_interval(secs => least(n, 6))
     FROM generate_series(1, 7) AS n`,
  )
})
afterAll(async () => {
  await app?.stop()
})

describe("GET /api/admin/dead-letters pages with an opaque cursor", () => {
  it("walks every dead letter once, newest first", async () => {
    const seen: Array<string> = []
    let cursor: string | undefined
    do {
      const res = await admin.api.admin.deadLetters.list({
        query: { limit: "3", ...(cursor ? { cursor } : {}) },
      })
      if (res.status !== 200) throw new Error(`list failed: ${res.status}`)
      seen.push(...res.body.items.map((d) => d.eventId))
      cursor = res.body.nextCursor ?? undefined
    } while (cursor !== undefined)
    expect(seen).toHaveLength(7)
    expect(new Set(seen).size).toBe(7)
    expect(seen.slice(2)).toEqual(["evt-5", "evt-4", "evt-3", "evt-2", "evt-1"])
  })

  it("answers a tampered or foreign cursor with a 400 naming query.cursor", async () => {
    const foreign = Buffer.from(JSON.stringify({ s: "activity:*", v: null, id: "1" })).toString("base64url")
    const numeric = Buffer.from(JSON.stringify({ s: "dead-letters", v: 5, id: randomUUID() })).toString(
      "base64url",
    )
    for (const cursor of ["%%%", foreign, numeric]) {
      const res = await admin.api.admin.deadLetters.list({ query: { cursor } })
      expect(res.status).toBe(400)
      expect(JSON.stringify(res.body)).toContain("query.cursor")
    }
  })
})
