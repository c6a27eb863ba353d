import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { TASKS_DLQ_TOPIC, TASKS_TOPIC } from "@todo/contracts"
import {
  apiClient,
  createTestDatabase,
  eventually,
  queryRows,
  REPO_ROOT,
  type ServiceProcess,
  signUp,
  startService,
} from "@todo/testkit"
import { loopbackPort } from "@todo/testkit/dapr"
import { expect, it } from "vitest"
import { count, describeDapr, eventIdOf, report, sharedStack } from "./support.ts"

const EVENTS = "/events/tasks-lifecycle"
const DLQ = "/events/tasks-lifecycle-dlq"
const adminEmail = `ops-${Date.now()}@example.com`

/**
 * Delivery through real sidecars: the api and its daprd, kfake (SASL SCRAM-SHA-512), the agent's daprd and the agent,
 * each a process, the sidecars loading the chart's Dapr resources. What crossed the sidecars is read at a
 * transparent hop in front of the agent (DeliveryTap), what took effect from the database.
 */
describeDapr("delivery through real daprd sidecars and kafka", () => {
  const shared = sharedStack()

  it("a task due yesterday gets its overdue suggestion; the delivery is the CloudEvent the contract describes", async () => {
    const { stack, db } = shared
    const { client, user } = await signUp(stack.api.url)
    const started = Date.now()
    const created = await client.api.tasks.create({
      body: { title: "Renew passport", dueDate: new Date(Date.now() - 24 * 3600_000).toISOString() },
      headers: { "x-correlation-id": "real-sidecars-1" },
    })
    expect(created.status).toBe(201)
    if (created.status !== 201) return
    const suggestion = await eventually(
      async () => {
        const res = await client.api.suggestions.list({ query: {} })
        return res.status === 200 ? res.body.items[0] : undefined
      },
      { timeoutMs: 20_000, what: "the overdue suggestion" },
    )
    const tookMs = Date.now() - started
    expect(suggestion).toMatchObject({
      taskId: created.body.id,
      type: "overdue",
      sourceEvent: "tasks.created",
      correlationId: "real-sidecars-1",
    })

    const eventId = await eventIdOf(db.url, created.body.id)
    // The hop records the answer as it passes it on, a moment after the agent committed.
    const delivery = await eventually(async () =>
      stack.tap.deliveries(EVENTS).find((d) => d.eventId === eventId),
    )
    expect(delivery.headers["content-type"]).toBe("application/cloudevents+json")
    // The sidecar presents the app token; the partition key is the user; the topic is ours.
    expect(delivery.headers["dapr-api-token"]).toBe(stack.tokens.app)
    expect(delivery.headers.partitionkey).toBe(user.id)
    expect(delivery.headers.__key).toBe(user.id)
    expect(delivery.headers.__topic).toBe(TASKS_TOPIC)
    const envelope = JSON.parse(delivery.body) as Record<string, unknown>
    expect(envelope).toMatchObject({
      id: eventId,
      source: "todo-api",
      type: "tasks.created",
      specversion: "1.0",
      datacontenttype: "application/json",
      topic: TASKS_TOPIC,
      pubsubname: "pubsub-kafka",
      data: { eventId, eventType: "tasks.created", taskId: created.body.id, userId: user.id },
    })
    // The delivery continues the publisher's trace (a span of the agent's sidecar: same trace, new span).
    const traceOf = (tp: unknown) => String(tp).split("-")[1]
    expect(traceOf(delivery.headers.traceparent)).toMatch(/^[0-9a-f]{32}$/)
    expect(traceOf(delivery.headers.traceparent)).toBe(traceOf(envelope.traceparent))
    expect(JSON.parse(delivery.answer)).toEqual({ status: "SUCCESS" })
    report("task create → overdue suggestion through both sidecars", { "took ms": tookMs })
  })

  it("enforces the API token (app → its sidecar) and the app token (sidecar → agent)", async () => {
    const { stack } = shared
    const publish = (headers: Record<string, string>) =>
      fetch(`${stack.apiSidecar.url}/v1.0/publish/pubsub-kafka/${TASKS_TOPIC}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      })
    expect((await publish({})).status).toBe(401)
    expect((await publish({ "dapr-api-token": "wrong" })).status).toBe(401)
    // Health stays open for the probes.
    expect((await fetch(`${stack.apiSidecar.url}/v1.0/healthz/outbound`)).status).toBe(204)
    // The agent refuses anyone without its app token, with 401 (retriable for daprd), never 404 (a drop).
    for (const path of [EVENTS, DLQ]) {
      const res = await fetch(`${stack.agent.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json", "dapr-api-token": "wrong" },
        body: "{}",
      })
      expect(res.status, path).toBe(401)
    }
    expect((await fetch(`${stack.agent.url}/dapr/subscribe`)).status).toBe(401)
    // Topic ACLs of the rendered component: the api may not publish the dead-letter topic.
    const forbidden = await fetch(`${stack.apiSidecar.url}/v1.0/publish/pubsub-kafka/${TASKS_DLQ_TOPIC}`, {
      method: "POST",
      headers: { "content-type": "application/json", "dapr-api-token": stack.tokens.dapr },
      body: "{}",
    })
    expect(forbidden.status).toBe(403)
  })

  it("keeps each user's events in commit order across partitions under load", async () => {
    const { stack, db } = shared
    const users = await Promise.all(Array.from({ length: 12 }, () => signUp(stack.api.url)))
    const perUser = 25
    const started = Date.now()
    // Users write concurrently; each user's writes one after another (so their commit order is defined).
    await Promise.all(
      users.map(async (u, i) => {
        for (let n = 0; n < perUser; n++) {
          const res = await u.client.api.tasks.create({ body: { title: `u${i} #${n}` } })
          expect(res.status).toBe(201)
        }
      }),
    )
    const ids = new Set(users.map((u) => u.user.id))
    const expected = await queryRows<{ user_id: string; event_id: string }>(
      db.url,
      "SELECT user_id::text, event_id::text FROM outbox WHERE user_id = ANY($1::uuid[]) ORDER BY id",
      [[...ids]],
    )
    expect(expected).toHaveLength(users.length * perUser)
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY($1)", [
          expected.map((e) => e.event_id),
        ])) === expected.length
          ? true
          : undefined,
      { timeoutMs: 60_000, what: "every event processed" },
    )
    const tookMs = Date.now() - started
    // The order the agent took them in (its first successful answer per event), per user; the hop records an
    // answer as it passes it on, a moment after the agent committed.
    const answered = () =>
      stack.tap.deliveries(EVENTS).filter((d) => d.status === 200 && ids.has(String(d.headers.partitionkey)))
    const taken = await eventually(async () => {
      const all = answered()
      return new Set(all.map((d) => d.eventId)).size === expected.length ? all : undefined
    })
    const firstTaken = new Map<string, { user: string; partition: string }>()
    for (const d of taken)
      if (!firstTaken.has(d.eventId!))
        firstTaken.set(d.eventId!, {
          user: String(d.headers.partitionkey),
          partition: String(d.headers.__partition),
        })
    for (const u of ids) {
      const committed = expected.filter((e) => e.user_id === u).map((e) => e.event_id)
      const order = [...firstTaken].filter(([, v]) => v.user === u).map(([id]) => id)
      expect(order, `user ${u}`).toEqual(committed)
    }
    const partitions = new Set([...firstTaken.values()].map((v) => v.partition))
    expect(partitions.size).toBeGreaterThan(1)
    report("per-user order under load", {
      events: expected.length,
      users: users.length,
      partitions: partitions.size,
      "all processed in ms": tookMs,
      duplicates: taken.length - firstTaken.size,
    })
  })

  it("an agent killed after handling but before answering: the redelivery has no second effect", async () => {
    const { stack, db } = shared
    const { client } = await signUp(stack.api.url)
    let victim: string | undefined
    let killedAt = 0
    stack.tap.onAnswer = async (request) => {
      if (
        victim !== undefined ||
        request.path !== EVENTS ||
        !request.body.includes('"title":"Crash after commit"')
      )
        return "answer"
      victim = request.eventId
      // The agent committed (its answer is here); it dies before the sidecar hears it.
      await stack.agent.kill()
      killedAt = Date.now()
      return "reset"
    }
    try {
      const created = await client.api.tasks.create({
        body: { title: "Crash after commit", dueDate: new Date(Date.now() - 3600_000).toISOString() },
      })
      expect(created.status).toBe(201)
      if (created.status !== 201) return
      await eventually(async () => (killedAt > 0 ? true : undefined), {
        timeoutMs: 10_000,
        what: "the crash",
      })
      await stack.agent.restart()
      const redelivered = await eventually(
        async () =>
          stack.tap
            .deliveries(EVENTS)
            .find((d) => d.eventId === victim && d.status === 200 && d.at > killedAt),
        { timeoutMs: 30_000, what: "the redelivery" },
      )
      expect(JSON.parse(redelivered.answer)).toEqual({ status: "SUCCESS" })
      const attempts = stack.tap.deliveries(EVENTS).filter((d) => d.eventId === victim)
      expect(attempts[0]!.status).toBe("reset")
      expect(
        await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [victim]),
      ).toBe(1)
      expect(
        await count(db.url, "SELECT count(*) AS n FROM suggestions WHERE task_id = $1", [created.body.id]),
      ).toBe(1)
      report("agent killed between commit and answer", {
        "delivery attempts": attempts.length,
        "redelivered ms after the kill": redelivered.at - killedAt,
        "effects (processed rows, suggestions)": "1, 1",
      })
    } finally {
      stack.tap.onAnswer = undefined
    }
  })

  it("a poison event: retried per the rendered resiliency, dead-lettered, parked, replayed once after the fix", async () => {
    const { stack, db } = shared
    const admin = await signUpAdmin(stack.api.url, db.url)
    const { client } = await signUp(stack.api.url)
    // The fault: the database refuses to record this event as processed (a bug in its handling), until fixed.
    await queryRows(
      db.url,
      `CREATE OR REPLACE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM outbox o WHERE o.event_id::text = NEW.event_id AND o.payload->>'title' LIKE 'POISON%')
         THEN RAISE EXCEPTION 'poisoned by the test'; END IF;
         RETURN NEW;
       END $$`,
    )
    await queryRows(
      db.url,
      "CREATE TRIGGER test_poison BEFORE INSERT ON processed_events FOR EACH ROW EXECUTE FUNCTION test_poison()",
    )
    const created = await client.api.tasks.create({ body: { title: "POISON pill" } })
    expect(created.status).toBe(201)
    if (created.status !== 201) return
    const eventId = (await eventIdOf(db.url, created.body.id))!
    const { inbound } = stack.resources
    const letter = await eventually(
      async () => {
        const res = await admin.api.admin.deadLetters.list({ query: {} })
        return res.status === 200 ? res.body.items.find((d) => d.eventId === eventId) : undefined
      },
      { timeoutMs: (inbound.maxRetries + 2) * inbound.durationMs + 20_000, what: "the dead letter" },
    )
    const attempts = stack.tap.deliveries(EVENTS).filter((d) => d.eventId === eventId)
    // 1 try + maxRetries of the rendered inbound policy, each answered RETRY, then the dead-letter topic.
    expect(attempts.map((a) => JSON.parse(a.answer).status)).toEqual(
      Array.from({ length: inbound.maxRetries + 1 }, () => "RETRY"),
    )
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at - attempts[i]!.durationMs)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(inbound.durationMs - 250)
    // The hop records the agent's answer as it passes it on: it may trail the parked row by a moment.
    const parked = await eventually(async () => {
      const found = stack.tap.deliveries(DLQ).filter((d) => d.eventId === eventId)
      return found.length > 0 ? found : undefined
    })
    expect(parked.map((d) => JSON.parse(d.answer).status)).toEqual(["SUCCESS"])
    // The dead letter is the original event: same id, same bytes.
    expect(parked[0]!.body).toBe(attempts[0]!.body)
    expect(letter).toMatchObject({ eventId, attempts: inbound.maxRetries + 1 })

    // Fixed; the operator replays it (twice: a double click). It takes effect once, with the original id.
    await queryRows(db.url, "DROP TRIGGER test_poison ON processed_events")
    const replayed = await admin.api.admin.deadLetters.replay({ params: { id: letter.id } })
    expect(replayed.status).toBe(202)
    expect((await admin.api.admin.deadLetters.replay({ params: { id: letter.id } })).status).toBe(202)
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [eventId])) ===
        1
          ? true
          : undefined,
      { timeoutMs: 20_000, what: "the replay to take effect" },
    )
    // Both replays reset the one outbox row: published once or twice (if the relay took it in between), each
    // acknowledged; the event took effect once.
    await eventually(
      async () =>
        (await count(
          db.url,
          "SELECT count(*) AS n FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL",
          [eventId],
        )) === 1
          ? true
          : undefined,
      { what: "the replay published" },
    )
    const after = await eventually(async () => {
      const later = stack.tap
        .deliveries(EVENTS)
        .filter((d) => d.eventId === eventId)
        .slice(attempts.length)
      return later.length > 0 ? later : undefined
    })
    for (const d of after) expect(JSON.parse(d.answer)).toEqual({ status: "SUCCESS" })
    expect(await count(db.url, "SELECT count(*) AS n FROM outbox WHERE event_id = $1", [eventId])).toBe(1)
    expect(
      await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = $1", [eventId]),
    ).toBe(1)
    report("poison event", {
      "attempts before the DLQ": attempts.length,
      "retry gaps ms": gaps.map((g) => Math.round(g)).join("/"),
      policy: `${inbound.policy} ${inbound.durationMs} ms × ${inbound.maxRetries}`,
      "replays delivered": after.length,
      "processed rows": 1,
    })
  })

  it("a malformed event published straight to the sidecar is dropped at once and parked once", async () => {
    const { stack, db } = shared
    const id = crypto.randomUUID()
    const res = await fetch(
      `${stack.apiSidecar.url}/v1.0/publish/pubsub-kafka/${TASKS_TOPIC}?metadata.cloudevent.id=${id}&metadata.partitionKey=x`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "dapr-api-token": stack.tokens.dapr },
        body: JSON.stringify({ eventType: "tasks.created", nonsense: true }),
      },
    )
    expect(res.status).toBe(204)
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM dead_letters WHERE event_id = $1", [id])) === 1
          ? true
          : undefined,
      { timeoutMs: 15_000, what: "the parked malformed event" },
    )
    expect(
      stack.tap
        .deliveries(EVENTS)
        .filter((d) => d.eventId === id)
        .map((d) => JSON.parse(d.answer).status),
    ).toEqual(["DROP"])
    const [row] = await queryRows<{ error: string }>(
      db.url,
      "SELECT error FROM dead_letters WHERE event_id = $1",
      [id],
    )
    expect(row!.error).toMatch(/malformed task event/)
  })

  it.each([
    ["a wrong API token", { DAPR_API_TOKEN: "not-the-token" }, 401],
    ["an unknown pub/sub component", { PUBSUB_NAME: "no-such-pubsub" }, 404],
  ])(
    "%s: the event waits in the outbox, the error is logged once, publishing is retried",
    async (_, env, status) => {
      const { stack } = shared
      // An api in front of the real sidecar with a wrong token or component name, on its own database (so the
      // healthy api's relay does not publish its events): writes go on, the events wait.
      const db = await createTestDatabase()
      let api: ServiceProcess | undefined
      try {
        api = await startService({
          script: "packages/api/src/main.ts",
          port: await loopbackPort(),
          env: {
            DATABASE_URL: db.url,
            BETTER_AUTH_SECRET: "misconfigured-secret-misconfigured-0123456789",
            DAPR_HTTP_ENDPOINT: stack.apiSidecar.url,
            DAPR_API_TOKEN: stack.tokens.dapr,
            ...env,
          },
        })
        const { client } = await signUp(api.url)
        const created = await client.api.tasks.create({ body: { title: "waits" } })
        expect(created.status).toBe(201)
        const row = await eventually(
          async () => {
            const [r] = await queryRows<{
              attempts: number
              last_error: string | null
              published_at: Date | null
            }>(db.url, "SELECT attempts, last_error, published_at FROM outbox")
            return r && r.attempts >= 3 ? r : undefined
          },
          { timeoutMs: 30_000, what: "three publish attempts" },
        )
        expect(row.published_at).toBeNull()
        expect(row.last_error).toContain(String(status))
        const loud = api
          .output()
          .split("\n")
          .filter((l) => l.includes("misconfigured"))
        expect(loud).toHaveLength(1)
      } finally {
        await api?.stop()
        await db.drop()
      }
    },
  )
})

/** Signs up an account and makes it an admin with the operator's command (`npm run admin -- grant`), as a process. */
const signUpAdmin = async (url: string, databaseUrl: string) => {
  const res = await apiClient(url).api.auth.signUp({
    body: { email: adminEmail, password: "correct horse battery", name: "Ops" },
  })
  if (res.status !== 201) throw new Error(`admin sign-up failed: ${res.status}`)
  const grant = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "packages/api/src/bin/admin.ts"), "grant", adminEmail],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, ADMIN_ACTOR: "real-sidecar drill" },
      encoding: "utf8",
    },
  )
  if (grant.status !== 0) throw new Error(`admin grant failed: ${grant.stderr}`)
  return apiClient(url, res.body.token)
}
