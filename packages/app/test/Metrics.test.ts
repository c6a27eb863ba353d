import { eventually, signUp } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app?.stop()
})

interface Sample {
  readonly name: string
  readonly labels: Record<string, string>
  readonly value: number
}

/** A strict reader of the Prometheus text format: every line is a comment or a well-formed sample. */
const parse = (text: string) => {
  const samples: Array<Sample> = []
  const types = new Map<string, string>()
  for (const line of text.split("\n")) {
    if (line === "") continue
    const type = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/)
    if (type) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (line.startsWith("# HELP ")) continue
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$/)
    if (!m) throw new Error(`not a Prometheus sample: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!
    samples.push({ name: m[1]!, labels, value: m[3] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[3]) })
  }
  return { samples, types }
}

const scrape = async () => {
  const res = await fetch(`${app.baseUrl}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toContain("text/plain")
  return parse(await res.text())
}

const value = (samples: ReadonlyArray<Sample>, name: string, labels: Record<string, string>) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)

describe("GET /metrics", () => {
  it("parses as Prometheus text and its counters move when work happens", async () => {
    const before = await scrape()
    expect(before.types.get("http_request_duration_ms")).toBe("histogram")
    const { client } = await signUp(app.baseUrl)
    const task = await client.api.tasks.create({
      body: { title: "Counted", dueDate: new Date(Date.now() - 3_600_000).toISOString() },
    })
    expect(task.status).toBe(201)
    await eventually(async () => {
      const res = await client.api.suggestions.list({ query: {} })
      return res.status === 200 && res.body.items.length > 0 ? true : undefined
    })
    const after = await eventually(async () => {
      const m = await scrape()
      return value(m.samples, "events_delivered_total", { type: "tasks.overdue" }) > 0 ? m : undefined
    })
    const delta = (name: string, labels: Record<string, string>) =>
      value(after.samples, name, labels) - value(before.samples, name, labels)
    expect(delta("http_request_duration_ms_count", { route: "POST /api/tasks", status: "201" })).toBe(1)
    expect(delta("events_published_total", { type: "tasks.created", outcome: "published" })).toBe(1)
    expect(delta("events_delivered_total", { type: "tasks.created", outcome: "SUCCESS" })).toBe(1)
    expect(delta("agent_suggestions_total", { type: "overdue", source: "tasks.created" })).toBe(1)
    expect(after.types.get("outbox_pending_events")).toBe("gauge")
    // Histogram buckets are cumulative and end at +Inf with the count.
    const buckets = after.samples.filter(
      (s) => s.name === "http_request_duration_ms_bucket" && s.labels.route === "POST /api/tasks",
    )
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value)
    expect(buckets.at(-1)?.labels.le).toBe("+Inf")
    expect(buckets.at(-1)?.value).toBe(
      value(after.samples, "http_request_duration_ms_count", { route: "POST /api/tasks" }),
    )
    // Routes are patterns: no task id ever becomes a label.
    expect(
      after.samples.some((s) =>
        Object.values(s.labels).some((v) => v.includes(task.status === 201 ? task.body.id : "x")),
      ),
    ).toBe(false)
  })
})
