import { describe, expect, it } from "vitest"
import { hashPartition } from "../../src/dapr/Partitioner.ts"
import { httpCall } from "../../src/dapr/SidecarHttp.ts"
import { EVENT_8A, harness, TRACEPARENT_8A } from "./helpers/Harness.ts"

const h = harness()
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const envelopeOf = (value: Buffer) => JSON.parse(value.toString("utf8")) as Record<string, unknown>

describe("publish API (DAPR.md §1)", () => {
  it("§8a: the reference publish answers 204, is recorded verbatim and writes the exact envelope", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const body = Buffer.from(JSON.stringify(EVENT_8A))
    const path =
      "/v1.0/publish/pubsub-kafka/tasks-lifecycle?metadata.partitionKey=user-42&metadata.cloudevent.id=evt-7f3c&metadata.cloudevent.type=tasks.created"
    const before = Math.floor(Date.now() / 1000) * 1000
    const res = await httpCall(
      `${api.url}${path}`,
      "POST",
      { "Content-Type": "application/json", traceparent: TRACEPARENT_8A },
      body,
    )
    expect(res.status).toBe(204)
    expect(res.body).toBe("")
    expect(res.headers.traceparent).toBeUndefined()

    const [logged] = mesh.publishRequests()
    expect(logged).toMatchObject({
      appId: "todo-api",
      method: "POST",
      path: "/v1.0/publish/pubsub-kafka/tasks-lifecycle",
      query:
        "metadata.partitionKey=user-42&metadata.cloudevent.id=evt-7f3c&metadata.cloudevent.type=tasks.created",
      status: 204,
    })
    expect(logged?.headers["content-type"]).toBe("application/json")
    expect(logged?.headers.traceparent).toBe(TRACEPARENT_8A)
    expect(logged?.body.equals(body)).toBe(true)

    const [record] = mesh.published("tasks-lifecycle")
    expect(record).toBeDefined()
    if (record === undefined) return
    expect(record.key).toBe("user-42")
    expect(record.partition).toBe(hashPartition("user-42", 3))
    expect(record.offset).toBe(0)
    expect(record.headers).toEqual({
      partitionKey: "user-42",
      "cloudevent.id": "evt-7f3c",
      "cloudevent.type": "tasks.created",
    })
    const time = String(envelopeOf(record.value).time)
    expect(time).toMatch(TIME)
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now())
    // Tracing is off: the incoming traceparent passes through into both trace fields.
    expect(record.value.toString("utf8")).toBe(
      `{"data":{"taskId":"t-1","title":"buy milk","userId":"user-42"},"datacontenttype":"application/json","id":"evt-7f3c",` +
        `"pubsubname":"pubsub-kafka","source":"todo-api","specversion":"1.0","time":"${time}","topic":"tasks-lifecycle",` +
        `"traceid":"${TRACEPARENT_8A}","traceparent":"${TRACEPARENT_8A}","tracestate":"","type":"tasks.created"}`,
    )
  })

  it("mints a UUIDv4 id per call, source = app-id, default type, and accepts PUT", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    expect((await api.publish("t", { n: 1 })).status).toBe(204)
    expect((await api.publish("t", { n: 1 }, { method: "PUT" })).status).toBe(204)
    const [a, b] = mesh.published("t").map((r) => envelopeOf(r.value))
    expect(a?.id).toMatch(UUID_V4)
    expect(b?.id).toMatch(UUID_V4)
    expect(a?.id).not.toBe(b?.id)
    expect(a).toMatchObject({
      source: "todo-api",
      type: "com.dapr.event.sent",
      specversion: "1.0",
      traceid: "",
      traceparent: "",
      tracestate: "",
    })
  })

  it("content types: JSON parsed, no content type ⇒ text/plain string, bad JSON ⇒ string, cloudevents+json passthrough", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    await api.publish("t", '{"a":1}', { contentType: "application/json" })
    await api.publish("t", '{"a":1}')
    await api.publish("t", "{not json", { contentType: "application/json" })
    const own = {
      id: "own-1",
      type: "x.created",
      specversion: "1.0",
      topic: "wrong",
      data: { a: 1 },
      datacontenttype: "application/json",
    }
    await api.publish("t", JSON.stringify(own), { contentType: "application/cloudevents+json" })
    await api.publish("t", '{"type":"no.id","source":null}', { contentType: "application/cloudevents+json" })
    const [json, text, bad, ce, noId] = mesh.published("t").map((r) => envelopeOf(r.value))
    expect(json).toMatchObject({ data: { a: 1 }, datacontenttype: "application/json" })
    expect(text).toMatchObject({ data: '{"a":1}', datacontenttype: "text/plain" })
    expect(bad).toMatchObject({ data: "{not json", datacontenttype: "application/json" })
    expect(ce).toEqual({
      id: "own-1",
      type: "x.created",
      specversion: "1.0",
      topic: "t",
      pubsubname: "pubsub-kafka",
      source: "Dapr",
      data: { a: 1 },
      datacontenttype: "application/json",
      time: expect.stringMatching(TIME),
      traceid: "",
      traceparent: "",
      tracestate: "",
    })
    expect(noId).not.toHaveProperty("id")
    expect(noId).toMatchObject({ type: "no.id", source: "Dapr", specversion: "1.0" })
  })

  it("copies every metadata key into record headers; partitionKey is the key; no key ⇒ round-robin", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    await api.publish(
      "t",
      {},
      { metadata: { partitionKey: "u", "cloudevent.id": "e1", ttlInSeconds: "60", custom: "x y" } },
    )
    for (let i = 0; i < 3; i++) await api.publish("rr", {})
    const [rec] = mesh.published("t")
    expect(rec?.key).toBe("u")
    expect(rec?.headers).toEqual({
      partitionKey: "u",
      "cloudevent.id": "e1",
      ttlInSeconds: "60",
      custom: "x y",
    })
    expect(envelopeOf(rec?.value ?? Buffer.from("{}")).expiration).toMatch(TIME)
    expect(mesh.published("rr").map((r) => [r.partition, r.key])).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
    ])
  })

  it("unknown pubsub ⇒ 404 ERR_PUBSUB_NOT_FOUND with Dapr's error JSON", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const res = await api.publish("t", {}, { pubsubName: "nope" })
    expect(res.status).toBe(404)
    expect(res.headers["content-type"]).toBe("application/json")
    expect(res.body).toBe(
      '{"errorCode":"ERR_PUBSUB_NOT_FOUND","message":"pubsub nope is not found","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","domain":"dapr.io","metadata":{},"reason":"DAPR_PUBSUB_NOT_FOUND"}]}',
    )
    expect(mesh.published("t")).toEqual([])
    expect(mesh.publishRequests()[0]?.status).toBe(404)
  })

  it("rawPayload: a non-boolean ⇒ 400; true ⇒ the body is written as-is", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const bad = await api.publish("t", {}, { metadata: { rawPayload: "maybe" } })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toMatchObject({
      errorCode: "ERR_PUBSUB_REQUEST_METADATA",
      message:
        "failed deserializing metadata. Error: rawPayload value must be a valid boolean: actual is 'maybe'",
    })
    expect((await api.publish("t", "raw bytes", { metadata: { rawPayload: "true" } })).status).toBe(204)
    expect(mesh.published("t")[0]?.value.toString("utf8")).toBe("raw bytes")
  })

  it("a bad cloudevents+json body ⇒ 500 ERR_PUBSUB_CLOUD_EVENTS_SER", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    const res = await api.publish("t", '{"}', { contentType: "application/cloudevents+json" })
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toMatchObject({
      errorCode: "ERR_PUBSUB_CLOUD_EVENTS_SER",
      message: "cannot create cloudevent",
    })
  })

  it("broker unavailable ⇒ 500 ERR_PUBSUB_PUBLISH_MESSAGE, then 204 once it is back", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    mesh.broker.setAvailable(false)
    const res = await api.publish("tasks-lifecycle", {})
    expect(res.status).toBe(500)
    const body = JSON.parse(res.body) as {
      errorCode: string
      message: string
      details: Array<Record<string, unknown>>
    }
    expect(body.errorCode).toBe("ERR_PUBSUB_PUBLISH_MESSAGE")
    expect(body.message).toBe(
      "error when publishing to topic tasks-lifecycle in pubsub pubsub-kafka: kafka: client has run out of available brokers to talk to",
    )
    expect(body.details[1]).toMatchObject({ resource_type: "pubsub", resource_name: "pubsub-kafka" })
    mesh.broker.setAvailable(true)
    expect((await api.publish("tasks-lifecycle", {})).status).toBe(204)
    expect(mesh.published("tasks-lifecycle")).toHaveLength(1)
  })

  it("publishingScopes ⇒ 403 ERR_PUBSUB_FORBIDDEN for other topics", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api", publishingScopes: ["tasks-lifecycle"] })
    expect((await api.publish("tasks-lifecycle", {})).status).toBe(204)
    const res = await api.publish("other", {})
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toMatchObject({
      errorCode: "ERR_PUBSUB_FORBIDDEN",
      message: "topic other is not allowed for app id todo-api",
    })
  })

  it("API token: 401 text/plain without or with a wrong token, except GET /v1.0/healthz[/outbound]", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api", daprApiToken: "s3cret" })
    const noToken = await api.publish("t", {}, { headers: { "dapr-api-token": "" } })
    expect(noToken.status).toBe(401)
    expect(noToken.headers["content-type"]).toBe("text/plain; charset=utf-8")
    expect(noToken.body).toBe("invalid api token\n")
    expect((await api.publish("t", {}, { headers: { "dapr-api-token": "wrong" } })).status).toBe(401)
    expect((await api.publish("t", {})).status).toBe(204) // the helper sends the configured token
    expect((await httpCall(`${api.url}/v1.0/healthz`, "GET", {})).status).toBe(204)
    expect((await httpCall(`${api.url}/v1.0/healthz/outbound`, "GET", {})).status).toBe(204)
    expect((await httpCall(`${api.url}/v1.0/metadata`, "GET", {})).status).toBe(401)
    const meta = await httpCall(`${api.url}/v1.0/metadata`, "GET", { "dapr-api-token": "s3cret" })
    expect(meta.status).toBe(200)
    expect(JSON.parse(meta.body)).toMatchObject({ id: "todo-api" })
    expect(mesh.published("t")).toHaveLength(1)
  })

  it("answers 405 for other methods on publish and Go's 404 for unknown routes", async () => {
    const mesh = h.mesh()
    const api = await mesh.addSidecar({ appId: "todo-api" })
    expect((await httpCall(`${api.url}/v1.0/publish/pubsub-kafka/t`, "GET", {})).status).toBe(405)
    const res = await httpCall(`${api.url}/v1.0/nothing`, "GET", {})
    expect(res.status).toBe(404)
    expect(res.body).toBe("404 page not found\n")
  })
})
