import { freePort } from "@todo/runtime/embedded-postgres"
import { createTestDatabase, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { AGENT_MAIN, API_MAIN, killLaunched, launch, whenReady } from "./support/Launch.ts"

/** `npm run start:api` / `npm run start:agent` as processes: what they say when they start, and when they cannot. */

const SECRET = "services-secret-services-secret-0123456789"
const databases: Array<TestDatabaseHandle> = []
afterEach(async () => {
  killLaunched()
  for (const db of databases.splice(0)) await db.drop()
})

const database = async (options: { readonly migrated?: boolean } = {}) => {
  const db = await createTestDatabase(options)
  databases.push(db)
  return db
}

const tables = async (db: TestDatabaseHandle) =>
  (
    await queryRows<{ n: number }>(
      db.url,
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
    )
  )[0]!.n

const messages = (jsonLines: string) =>
  jsonLines
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => (JSON.parse(l) as { message: string }).message)

/** One line on stderr, exit code 1, no stack trace. */
const stopsWithOneLine = async (launched: ReturnType<typeof launch>) => {
  expect(await launched.exit).toBe(1)
  expect(launched.stdout() + launched.stderr()).not.toMatch(/\n\s+at /)
  return launched.stderr().trimEnd().split("\n")
}

describe("start:api and start:agent", () => {
  it.each([
    ["api", API_MAIN, "todo-api", { BETTER_AUTH_SECRET: SECRET }],
    ["agent", AGENT_MAIN, "todo-agent", {}],
  ] as const)("%s logs one line when it listens", async (_name, main, service, env) => {
    const db = await database()
    const port = await Effect.runPromise(freePort)
    const launched = launch(main, { env: { DATABASE_URL: db.url, PORT: String(port), ...env } })
    await whenReady(launched, port)
    const listening = messages(launched.stdout()).filter((m) => m.includes("listening"))
    expect(listening).toEqual([`${service} listening on http://127.0.0.1:${port}`])
  })

  it("api: a missing BETTER_AUTH_SECRET is one line naming it, and no migration ran", async () => {
    const db = await database({ migrated: false })
    const lines = await stopsWithOneLine(launch(API_MAIN, { env: { DATABASE_URL: db.url } }))
    expect(lines).toEqual(["configuration error: BETTER_AUTH_SECRET is not set"])
    expect(await tables(db)).toBe(0)
  })

  it("api: each missing or invalid required variable is its own line, before anything starts", async () => {
    expect(await stopsWithOneLine(launch(API_MAIN, { env: {} }))).toEqual([
      "configuration error: DATABASE_URL is not set",
      "configuration error: BETTER_AUTH_SECRET is not set",
    ])
    const db = await database({ migrated: false })
    expect(
      await stopsWithOneLine(
        launch(API_MAIN, { env: { DATABASE_URL: db.url, BETTER_AUTH_SECRET: "short" } }),
      ),
    ).toEqual([
      "configuration error: BETTER_AUTH_SECRET: must be at least 32 characters (e.g. openssl rand -base64 48)",
    ])
    expect(await tables(db)).toBe(0)
  })

  it("agent: a missing DATABASE_URL is one line naming it", async () => {
    expect(await stopsWithOneLine(launch(AGENT_MAIN, { env: {} }))).toEqual([
      "configuration error: DATABASE_URL is not set",
    ])
  })

  it("a database that does not answer is one line naming DATABASE_URL's host, never its password", async () => {
    const port = await Effect.runPromise(freePort)
    const url = `postgres://todo:hunter2-password@127.0.0.1:${port}/todo`
    const lines = await stopsWithOneLine(launch(AGENT_MAIN, { env: { DATABASE_URL: url } }))
    expect(lines).toEqual([
      `the database of DATABASE_URL (127.0.0.1:${port}) does not answer: connect ECONNREFUSED 127.0.0.1:${port}`,
    ])
    expect(lines[0]).not.toContain("hunter2")
  })
})
