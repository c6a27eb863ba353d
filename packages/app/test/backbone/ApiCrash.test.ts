import { TASKS_TOPIC } from "@todo/contracts"
import { freePort } from "@todo/runtime/EmbeddedPostgres"
import {
  apiClient,
  createTestDatabase,
  eventually,
  queryRows,
  type ServiceProcess,
  startService,
  type TestDatabaseHandle,
} from "@todo/testkit"
import { DaprMesh, type Sidecar } from "@todo/testkit/dapr/index"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { count, prepareTestTables, type Running, startAgent } from "./support/Backbone.ts"

/**
 * The API process is killed with SIGKILL in the middle of a write burst, while its relay is publishing. After a
 * restart every committed task has exactly one outbox row and its event is delivered and takes effect once, whatever
 * the crash cut off: a commit whose response was lost, a publish that reached the broker but was never marked.
 */
describe("the API process is killed (SIGKILL) in the middle of a write burst", () => {
  let db: TestDatabaseHandle
  let mesh: DaprMesh
  let apiSidecar: Sidecar
  let agent: Running
  const apis: Array<ServiceProcess> = []

  const startApiProcess = async () => {
    const api = await startService({
      script: "packages/api/src/main.ts",
      port: await Effect.runPromise(freePort),
      env: {
        DATABASE_URL: db.url,
        BETTER_AUTH_SECRET: "crash-secret-crash-secret-crash-secret-0123",
        AUTH_RATE_LIMIT_PER_IP: "100000",
        LOG_LEVEL: "info",
        ...apiSidecar.env(),
      },
    })
    apis.push(api)
    return api
  }

  beforeAll(async () => {
    db = await createTestDatabase()
    await prepareTestTables(db.url)
    mesh = new DaprMesh({ defaults: { resiliency: { maxRetries: 3, intervalMs: 20 } } })
    agent = await startAgent({ databaseUrl: db.url })
    await mesh.addSidecar({ appId: "todo-agent", appPort: agent.port })
    apiSidecar = await mesh.addSidecar({ appId: "todo-api", daprApiToken: "crash-token" })
  }, 60_000)

  afterAll(async () => {
    for (const api of apis) await api.stop()
    await agent?.stop()
    await mesh?.close()
    await db?.drop()
  })

  it("after a restart every committed task has one outbox row and its event is delivered once", async () => {
    const first = await startApiProcess()
    const tokens: Array<string> = []
    for (let i = 0; i < 4; i++) {
      const res = await apiClient(first.url).api.auth.signUp({
        body: {
          email: `crash-${i}-${Date.now()}@example.com`,
          password: "correct horse battery",
          name: `c${i}`,
        },
      })
      if (res.status !== 201) throw new Error(`sign-up failed: ${res.status}`)
      tokens.push(res.body.token)
    }

    // 16 writers hammer the API; once 150 creates were acknowledged (and the relay is busy publishing), SIGKILL.
    const acknowledged: Array<string> = []
    let failedRequests = 0
    let killed = false
    let n = 0
    const writer = async (w: number) => {
      const client = apiClient(first.url, tokens[w % tokens.length])
      while (!killed) {
        try {
          const res = await client.api.tasks.create({ body: { title: `burst ${n++}` } })
          if (res.status === 201) acknowledged.push(res.body.id)
          else failedRequests++
        } catch {
          failedRequests++
        }
      }
    }
    const writers = Array.from({ length: 16 }, (_, w) => writer(w))
    await eventually(async () => (acknowledged.length >= 150 ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 1,
      what: "150 acknowledged creates",
    })
    const publishedBeforeKill = mesh.publishRequests({ appId: "todo-api" }).length
    await first.kill()
    killed = true
    await Promise.all(writers)
    expect(first.child.signalCode).toBe("SIGKILL")
    // The crash cut something off: requests in flight failed, and events were still waiting in the outbox.
    expect(failedRequests).toBeGreaterThan(0)
    const pendingAtCrash = await count(db.url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
    expect(publishedBeforeKill).toBeGreaterThan(0)

    const tasks = await count(db.url, "SELECT count(*) AS n FROM tasks")
    // Every acknowledged task committed (and a few more may have committed with their answer lost).
    expect(
      await count(db.url, "SELECT count(*) AS n FROM tasks WHERE id = ANY($1::uuid[])", [acknowledged]),
    ).toBe(acknowledged.length)
    expect(tasks).toBeGreaterThanOrEqual(acknowledged.length)

    await startApiProcess()
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events")) === tasks ? true : undefined,
      { timeoutMs: 20_000, what: `${tasks} processed events (${pendingAtCrash} were pending at the crash)` },
    )
    await mesh.waitForIdle()

    // Exactly one outbox row per committed task, and no event without its task.
    expect(
      await count(
        db.url,
        "SELECT count(*) AS n FROM tasks t WHERE (SELECT count(*) FROM outbox o WHERE o.task_id = t.id) <> 1",
      ),
    ).toBe(0)
    expect(await count(db.url, "SELECT count(*) AS n FROM outbox")).toBe(tasks)
    expect(await count(db.url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).toBe(0)
    // Every event reached the agent and took effect exactly once, even one published twice around the crash.
    const ids = new Set(mesh.published(TASKS_TOPIC).map((r) => r.headers["cloudevent.id"]))
    expect(ids.size).toBe(tasks)
    expect(await count(db.url, "SELECT count(*) AS n FROM test_effects")).toBe(tasks)
    expect(await count(db.url, "SELECT count(DISTINCT task_id) AS n FROM test_effects")).toBe(tasks)
    const unprocessed = await queryRows(
      db.url,
      "SELECT o.event_id FROM outbox o LEFT JOIN processed_events p ON p.event_id = o.event_id::text WHERE p.event_id IS NULL",
    )
    expect(unprocessed).toEqual([])
    expect(mesh.deadLetters()).toEqual([])
  }, 90_000)
})
