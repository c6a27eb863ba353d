import { eventually, parsePrometheus, sampleValue as value, signUp } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app?.stop()
})

const scrape = async () => {
  const res = await fetch(`${app.baseUrl}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toContain("text/plain")
  return parsePrometheus(await res.text())
}

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
    // Histogram buckets are cumulative and end at +Inf with the count (one series: one route and status; the
    // registry is the process's, so other answers of the route may be in it too).
    const buckets = after.samples.filter(
      (s) =>
        s.name === "http_request_duration_ms_bucket" &&
        s.labels.route === "POST /api/tasks" &&
        s.labels.status === "201",
    )
    expect(buckets.length).toBeGreaterThan(1)
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value)
    expect(buckets.at(-1)?.labels.le).toBe("+Inf")
    expect(buckets.at(-1)?.value).toBe(
      value(after.samples, "http_request_duration_ms_count", { route: "POST /api/tasks", status: "201" }),
    )
    // Routes are patterns: no task id ever becomes a label.
    expect(
      after.samples.some((s) =>
        Object.values(s.labels).some((v) => v.includes(task.status === 201 ? task.body.id : "x")),
      ),
    ).toBe(false)
  })
})
