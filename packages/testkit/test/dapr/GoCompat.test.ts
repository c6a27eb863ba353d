import { describe, expect, it } from "vitest"
import { buildEnvelope } from "../../src/dapr/CloudEventEnvelope.ts"
import { decodeFirst, GoBytes, GoJsonSyntaxError, marshal, unmarshal } from "../../src/dapr/GoJson.ts"
import { canonicalHeaderKey, goPathClean, metadataFromQuery } from "../../src/dapr/GoHttp.ts"
import { formatRfc3339, parseGoDuration, ttlFromMetadata } from "../../src/dapr/GoTime.ts"
import { fnv1a32, hashPartition } from "../../src/dapr/Partitioner.ts"
import { interpretAppAnswer } from "../../src/dapr/AppAnswer.ts"
import { compileRouteMatch, RouteMatchEvalError, RouteMatchSyntaxError } from "../../src/dapr/RouteMatch.ts"

const reencode = (text: string) => marshal(decodeFirst(Buffer.from(text, "utf8"))).toString("utf8")

describe("Go json semantics (DAPR.md §1 envelope serialisation, §8b note)", () => {
  it("sorts keys, compacts, keeps number literals exactly", () => {
    expect(
      reencode('{ "b": 1.0, "a": [ 12345678901234567890, -0, 1e3 ], "c": {"z": null, "y": true} }'),
    ).toBe('{"a":[12345678901234567890,-0,1e3],"b":1.0,"c":{"y":true,"z":null}}')
  })

  it("escapes <, >, &, U+2028/2029 and control characters like Go, keeps other unicode raw", () => {
    expect(reencode('"<a href=\\"x\\">&amp;</a>\\u2028\\u0001\\b\\f\\n\\r\\t\\/é"')).toBe(
      '"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e\\u2028\\u0001\\b\\f\\n\\r\\t/é"',
    )
  })

  it("sorts keys by UTF-8 bytes (code points), not UTF-16 units", () => {
    expect(reencode('{"\uFF5E":1,"\uD83D\uDE00":2,"a":3}')).toBe('{"a":3,"\uFF5E":1,"\uD83D\uDE00":2}')
  })

  it("replaces unpaired surrogate escapes and invalid UTF-8 with U+FFFD, raw text bytes with the \\ufffd escape", () => {
    expect(reencode('"\\ud800x"')).toBe('"\uFFFDx"')
    expect(marshal(new GoBytes(Buffer.from([0x61, 0xff, 0x62]))).toString("utf8")).toBe('"a\\ufffdb"')
  })

  it("Decode reads the first value only; Unmarshal wants the whole input", () => {
    expect(reencode('{"a":1} trailing garbage')).toBe('{"a":1}')
    expect(() => unmarshal(Buffer.from('{"a":1} x'))).toThrow(GoJsonSyntaxError)
    expect(() => decodeFirst(Buffer.from("   "))).toThrow(GoJsonSyntaxError)
    expect(() => decodeFirst(Buffer.from("{'a':1}"))).toThrow(GoJsonSyntaxError)
    expect(() => decodeFirst(Buffer.from('{"a":1,}'))).toThrow(GoJsonSyntaxError)
  })
})

describe("sarama hash partitioner (DAPR.md §1 partitionKey)", () => {
  it("computes FNV-1a 32 like Go's hash/fnv", () => {
    expect(fnv1a32(Buffer.from(""))).toBe(0x811c9dc5)
    expect(fnv1a32(Buffer.from("a"))).toBe(0xe40c292c)
    expect(fnv1a32(Buffer.from("foobar"))).toBe(0xbf9cf968)
  })

  it("takes int32(hash) % n and negates negatives", () => {
    // 0xbf9cf968 as int32 is -1080231576 = -(3 × 360077192) = -(7 × 154318796 + 4): % 3 = -0 → 0, % 7 = -4 → 4.
    expect(hashPartition("foobar", 3)).toBe(0)
    expect(hashPartition("foobar", 7)).toBe(4)
    // 0xe40c292c as int32 = -468965076; % 10 = -6 → 6
    expect(hashPartition("a", 10)).toBe(6)
  })
})

describe("Go net/http details", () => {
  it("reads metadata.* query parameters: prefix stripped, first value wins, bad pairs skipped", () => {
    const md = metadataFromQuery(
      "metadata.partitionKey=user%2042&metadata.partitionKey=x&other=1&metadata.a+b=c+d&metadata.bad=%zz&metadata.semi=1;2",
    )
    expect([...md]).toEqual([
      ["partitionKey", "user 42"],
      ["a b", "c d"],
    ])
  })

  it("cleans paths and canonicalises header names like Go", () => {
    expect(goPathClean("/events//tasks/./x/../y/")).toBe("/events/tasks/y")
    expect(canonicalHeaderKey("partitionKey")).toBe("Partitionkey")
    expect(canonicalHeaderKey("dapr-api-token")).toBe("Dapr-Api-Token")
    expect(canonicalHeaderKey("cloudevent.id")).toBe("Cloudevent.id")
    expect(canonicalHeaderKey("__key")).toBe("__key")
    expect(canonicalHeaderKey("bad name")).toBe("bad name")
  })

  it("formats RFC3339 seconds and parses Go durations / TTL metadata", () => {
    expect(formatRfc3339(Date.UTC(2026, 7, 21, 20, 12, 9, 999))).toBe("2026-08-21T20:12:09Z")
    expect(parseGoDuration("1m30s")).toBe(90_000)
    expect(parseGoDuration("1.5h")).toBe(5_400_000)
    expect(parseGoDuration("10")).toBeUndefined()
    expect(ttlFromMetadata(new Map([["ttlInSeconds", "10"]]))).toBe(10_000)
    expect(ttlFromMetadata(new Map([["TTL", "2s"]]))).toBe(2000)
    expect(ttlFromMetadata(new Map([["ttlInSeconds", "-3"]]))).toBeUndefined()
    expect(ttlFromMetadata(new Map([["ttlInSeconds", "soon"]]))).toBeUndefined()
  })
})

describe("envelope details (DAPR.md §1)", () => {
  const base = {
    appId: "todo-api",
    pubsubName: "pubsub-kafka",
    topic: "t",
    contentType: "application/json",
    metadata: new Map<string, string>(),
    traceparent: "",
    tracestate: "",
    nowMs: Date.UTC(2026, 7, 21, 20, 12, 9),
  }
  const build = (over: Partial<typeof base> & { body: string }) => {
    const r = buildEnvelope({ ...base, ...over, body: Buffer.from(over.body, "utf8") })
    if (!r.ok) throw new Error("envelope failed")
    return JSON.parse(r.bytes.toString("utf8")) as Record<string, unknown>
  }

  it("application/octet-stream goes to data_base64; vnd+json is text; ;params keep JSON", () => {
    expect(build({ contentType: "application/octet-stream", body: "hi" })).toMatchObject({
      data_base64: "aGk=",
    })
    expect(build({ contentType: "application/octet-stream", body: "hi" })).not.toHaveProperty("data")
    expect(build({ contentType: "application/vnd.x+json", body: '{"a":1}' }).data).toBe('{"a":1}')
    expect(build({ contentType: "Application/JSON; charset=utf-8", body: '{"a":1}' }).data).toEqual({ a: 1 })
  })

  it("applies cloudevent.* overrides case-insensitively, writes expiration for a TTL and subject when given", () => {
    const md = new Map([
      ["CloudEvent.Id", "evt-1"],
      ["cloudevent.source", "custom"],
      ["cloudevent.subject", "s"],
      ["cloudevent.traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
      ["ttlInSeconds", "60"],
    ])
    const ce = build({
      metadata: md,
      traceparent: "00-11111111111111111111111111111111-2222222222222222-01",
      body: "{}",
    })
    expect(ce).toMatchObject({
      id: "evt-1",
      source: "custom",
      subject: "s",
      traceid: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      expiration: "2026-08-21T20:13:09Z",
    })
  })

  it("rejects a cloudevents+json body that is not a JSON object", () => {
    for (const body of ["[1]", "null", "{", "42"]) {
      expect(
        buildEnvelope({ ...base, contentType: "application/cloudevents+json", body: Buffer.from(body) }).ok,
      ).toBe(false)
    }
  })
})

describe("reading the app's answer (DAPR.md §2 table)", () => {
  const kind = (status: number, body: string) => interpretAppAnswer(status, Buffer.from(body)).kind
  it.each([
    [200, "", "success"],
    [204, "", "success"],
    [200, "not json", "success"],
    [200, '{"other":1}', "success"],
    [200, '{"status":""}', "success"],
    [200, '{"status":"SUCCESS"}', "success"],
    [200, '{"status":1}', "success"],
    [200, '["RETRY"]', "success"],
    [200, '{"STATUS":"RETRY"}', "retry"],
    [200, '{"status":"RETRY"} trailing', "retry"],
    [200, '{"status":"RETRY"}', "retry"],
    [200, '{"status":"retry"}', "retry"],
    [200, '{"status":"NOPE"}', "retry"],
    [200, '{"status":"DROP"}', "drop"],
    [404, '{"status":"SUCCESS"}', "drop"],
    [400, "", "retry"],
    [409, "", "retry"],
    [422, "", "retry"],
    [500, "", "retry"],
    [503, "", "retry"],
    [301, "", "retry"],
  ])("%i %s ⇒ %s", (status, body, expected) => {
    expect(kind(status, body)).toBe(expected)
  })
})

describe("routing rule CEL subset (DAPR.md §2)", () => {
  const event = decodeFirst(Buffer.from('{"type":"tasks.deleted","source":"todo-api","data":{"n":1}}'))
  it("evaluates ==, !=, &&, ||, ! and nested fields", () => {
    expect(compileRouteMatch('event.type == "tasks.deleted"').matches(event)).toBe(true)
    expect(compileRouteMatch("event.type != 'tasks.deleted'").matches(event)).toBe(false)
    expect(
      compileRouteMatch('event.type == "x" || (event.source == "todo-api" && !(event.data.n == 2))').matches(
        event,
      ),
    ).toBe(true)
    expect(compileRouteMatch("event.data.n == 1").matches(event)).toBe(true)
    expect(compileRouteMatch('event.data.n == "1"').matches(event)).toBe(false)
  })

  it("fails evaluation on a missing field unless the other side of &&/|| decides", () => {
    expect(() => compileRouteMatch('event.missing == "x"').matches(event)).toThrow(RouteMatchEvalError)
    expect(compileRouteMatch('event.missing == "x" || event.type == "tasks.deleted"').matches(event)).toBe(
      true,
    )
    expect(compileRouteMatch('event.type == "y" && event.missing == "x"').matches(event)).toBe(false)
  })

  it("rejects expressions outside the subset at compile time", () => {
    for (const expr of [
      'event.type.startsWith("t")',
      "has(event.type)",
      "event.type in ['a']",
      'other.type == "x"',
      'event.type == "x" &&',
    ]) {
      expect(() => compileRouteMatch(expr)).toThrow(RouteMatchSyntaxError)
    }
  })
})
