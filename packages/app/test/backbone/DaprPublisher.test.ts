import { DaprPublisherLive, EventPublisher, type OutboxRecord, type PublishError } from "@todo/messaging"
import { relayBatch } from "@todo/messaging/testing"
import { createServer, type Server, type Socket } from "node:net"
import { randomUUID } from "node:crypto"
import { TASKS_TOPIC } from "@todo/contracts"
import { createTestDatabase, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { DaprMesh, type Sidecar } from "@todo/testkit/dapr/index"
import { Effect, Layer, Logger } from "effect"
import { FetchHttpClient } from "effect/http"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { appendEvents, database, outboxRecord as record } from "../../../messaging/test/outbox/support.ts"
import { type Env, testConfig } from "./support/Backbone.ts"

/**
 * Contract tests of the API's publisher against the sidecar simulator's request log: the exact request DAPR.md §1
 * and §8a prescribe, how the sidecar's answers are classified, and the bounded wait for the sidecar at start-up.
 */
const logs: Array<{ level: string; message: string }> = []
const capture = Logger.layer([
  Logger.make(({ message, logLevel }) => {
    logs.push({
      level: logLevel,
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
    })
  }),
])

const publisherLayer = (env: Env) =>
  DaprPublisherLive.pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(testConfig(env)))

const withPublisher = <A, E>(env: Env, f: (p: EventPublisher["Service"]) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    EventPublisher.use(f).pipe(Effect.provide(publisherLayer(env)), Effect.provide(capture)) as Effect.Effect<
      A,
      E,
      never
    >,
  )

const failure = (p: EventPublisher["Service"], r: OutboxRecord) =>
  p.publish(r).pipe(
    Effect.flip,
    Effect.orElseSucceed((): PublishError | undefined => undefined),
  )

describe("DaprPublisher", () => {
  let db: TestDatabaseHandle
  let mesh: DaprMesh
  let sidecar: Sidecar
  beforeAll(async () => {
    db = await createTestDatabase()
    mesh = new DaprMesh()
    sidecar = await mesh.addSidecar({ appId: "todo-api", daprApiToken: "secret-token" })
  })
  afterEach(() => {
    logs.length = 0
  })
  afterAll(async () => {
    await mesh?.close()
    await db?.drop()
  })

  it("sends exactly the request DAPR.md prescribes, continuing the writer's trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    const user = randomUUID()
    // The event was written by a request of trace `traceId` (Outbox stores that request's span as traceparent).
    const [event] = await appendEvents(db.url, user, 1)
    await queryRows(db.url, "UPDATE outbox SET traceparent = $1", [`00-${traceId}-00f067aa0ba902b7-01`])

    const result = await relayBatch({ batchSize: 10, concurrency: 1 }).pipe(
      Effect.provide(publisherLayer(sidecar.env())),
      Effect.provide(database(db.url)),
      Effect.provide(capture),
      Effect.runPromise,
    )
    expect(result).toEqual({ claimed: 1, published: 1, failed: 0, halted: false })

    const [request] = mesh.publishRequests({ appId: "todo-api" })
    expect(request).toBeDefined()
    expect(request!.method).toBe("POST")
    expect(request!.path).toBe("/v1.0/publish/pubsub-kafka/tasks-lifecycle")
    expect(Object.fromEntries(new URLSearchParams(request!.query))).toEqual({
      "metadata.partitionKey": user,
      "metadata.cloudevent.id": event!.eventId,
      "metadata.cloudevent.type": "tasks.created",
    })
    expect(request!.headers["content-type"]).toBe("application/json")
    expect(request!.headers["dapr-api-token"]).toBe("secret-token")
    expect(request!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    expect(request!.headers.traceparent).not.toBe(`00-${traceId}-00f067aa0ba902b7-01`)
    expect(JSON.parse(request!.body.toString("utf8"))).toEqual(event)
    expect(request!.status).toBe(204)

    // What the broker holds: the envelope keyed by the user, with the event's own id, type and trace.
    const [stored2] = mesh.published(TASKS_TOPIC)
    expect(stored2!.key).toBe(user)
    const envelope = JSON.parse(stored2!.value.toString("utf8"))
    expect(envelope).toMatchObject({
      id: event!.eventId,
      type: "tasks.created",
      source: "todo-api",
      datacontenttype: "application/json",
      data: event,
      topic: TASKS_TOPIC,
      pubsubname: "pubsub-kafka",
    })
    expect(envelope.traceparent.split("-")[1]).toBe(traceId)
    expect(
      (
        await queryRows<{ published: boolean }>(
          db.url,
          "SELECT published_at IS NOT NULL AS published FROM outbox",
        )
      )[0]!.published,
    ).toBe(true)
  })

  it("a missing component or a wrong token is a configuration error, logged loudly once; still retried", async () => {
    const wrongPubsub = await withPublisher({ ...sidecar.env(), PUBSUB_NAME: "no-such-pubsub" }, (p) =>
      Effect.all([failure(p, record()), failure(p, record()), failure(p, record())]),
    )
    expect(wrongPubsub.map((e) => [e?.configuration, e?.status])).toEqual([
      [true, 404],
      [true, 404],
      [true, 404],
    ])
    expect(wrongPubsub[0]!.message).toContain("ERR_PUBSUB_NOT_FOUND")
    const errors = logs.filter((l) => l.level === "Error")
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain("Dapr publish is misconfigured (no-such-pubsub/tasks-lifecycle)")

    const wrongToken = await withPublisher({ ...sidecar.env(), DAPR_API_TOKEN: "wrong" }, (p) =>
      failure(p, record()),
    )
    expect([wrongToken?.configuration, wrongToken?.status]).toEqual([true, 401])
  })

  it("a broker failure (500), a refused connection and a silent sidecar are transient errors", async () => {
    mesh.broker.setAvailable(false)
    const brokerDown = await withPublisher(sidecar.env(), (p) => failure(p, record()))
    mesh.broker.setAvailable(true)
    expect([brokerDown?.configuration, brokerDown?.status]).toEqual([false, 500])
    expect(brokerDown!.message).toContain("ERR_PUBSUB_PUBLISH_MESSAGE")

    const port = sidecar.port
    await sidecar.stop()
    const refused = await withPublisher(sidecar.env(), (p) => failure(p, record()))
    await sidecar.restart()
    expect(sidecar.port).toBe(port)
    expect(refused?.configuration).toBe(false)
    expect(refused!.message).toMatch(/^sidecar unreachable/)

    // A sidecar that accepts the connection and never answers.
    const sockets: Array<Socket> = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r))
    const silentPort = (silent.address() as { port: number }).port
    const started = Date.now()
    const timedOut = await withPublisher(
      { DAPR_HTTP_ENDPOINT: `http://127.0.0.1:${silentPort}`, DAPR_PUBLISH_TIMEOUT: "300 millis" },
      (p) => failure(p, record()),
    )
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(timedOut?.configuration).toBe(false)
    expect(timedOut!.message).toContain("did not answer within")
    for (const s of sockets) s.destroy()
    await new Promise((r) => silent.close(r))
    expect(logs.filter((l) => l.level === "Error")).toEqual([])
  })

  it("waits for the sidecar's outbound health at start-up, bounded", async () => {
    await sidecar.stop()
    const started = Date.now()
    await withPublisher({ ...sidecar.env(), DAPR_WAIT_TIMEOUT: "400 millis" }, (p) => p.ready)
    const waited = Date.now() - started
    expect(waited).toBeGreaterThanOrEqual(390)
    expect(waited).toBeLessThan(3_000)
    expect(logs.some((l) => l.level === "Warn" && l.message.includes("events wait in the outbox"))).toBe(true)

    // The sidecar comes up while the publisher waits: ready as soon as /v1.0/healthz/outbound answers.
    logs.length = 0
    setTimeout(() => void sidecar.restart(), 300)
    const again = Date.now()
    await withPublisher({ ...sidecar.env(), DAPR_WAIT_TIMEOUT: "20 seconds" }, (p) => p.ready)
    expect(Date.now() - again).toBeLessThan(5_000)
    expect(logs.filter((l) => l.level === "Warn")).toEqual([])
  })
})
