import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { signUp } from "@todo/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
const dist = mkdtempSync(join(tmpdir(), "todo-web-dist-"))
beforeAll(async () => {
  mkdirSync(join(dist, "assets"))
  writeFileSync(
    join(dist, "index.html"),
    "<!doctype html><title>todo</title><script src=/assets/app-123.js></script>",
  )
  writeFileSync(join(dist, "assets", "app-123.js"), "console.log('hi')")
  app = await startTestApp({ webDist: dist })
})
afterAll(async () => {
  await app?.stop()
})

/**
 * Opens the stream and reads server-sent events until `until` accepts one, or the time is up. `connected` resolves
 * at the server's `: connected` comment, sent once the stream is subscribed: every change committed after it must
 * arrive.
 */
const openEvents = (
  token: string,
  until: (events: Array<{ event: string; data: Record<string, unknown> }>) => boolean,
  timeoutMs = 3_000,
) => {
  let onConnected: () => void = () => {}
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve
  })
  const events = (async () => {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), timeoutMs)
    const events: Array<{ event: string; data: Record<string, unknown> }> = []
    try {
      const res = await fetch(`${app.baseUrl}/api/stream`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      })
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toContain("text/event-stream")
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ""
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let end = buffer.indexOf("\n\n")
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block === ": connected") onConnected()
          const event = block.match(/^event: (.*)$/m)?.[1]
          const data = block.match(/^data: (.*)$/m)?.[1]
          if (event && data) events.push({ event, data: JSON.parse(data) })
          end = buffer.indexOf("\n\n")
        }
        if (until(events)) break
      }
    } catch (e) {
      if (!(e instanceof Error && e.name === "AbortError")) throw e
    } finally {
      clearTimeout(timer)
      abort.abort()
      onConnected() // never leave a waiter hanging: the assertions on `events` say what went wrong
    }
    return events
  })()
  return { connected, events }
}

describe("GET /api/stream", () => {
  it("pushes the user's task and suggestion changes, and nobody else's", async () => {
    const alice = await signUp(app.baseUrl)
    const bob = await signUp(app.baseUrl)
    const stream = openEvents(alice.token, (events) => events.some((e) => e.event === "suggestion"))
    await stream.connected
    await bob.client.api.tasks.create({ body: { title: "Bob's" } })
    const task = await alice.client.api.tasks.create({
      body: { title: "Late", dueDate: new Date(Date.now() - 3_600_000).toISOString() },
    })
    if (task.status !== 201) throw new Error("create failed")
    const events = await stream.events
    expect(events[0]).toEqual({
      event: "task",
      data: { id: task.body.id, taskId: task.body.id, change: "created" },
    })
    expect(events.find((e) => e.event === "suggestion")?.data).toMatchObject({
      taskId: task.body.id,
      change: "created",
    })
    expect(events.every((e) => e.data.taskId === task.body.id)).toBe(true)
  })

  it("refuses a stream without a valid token", async () => {
    const res = await fetch(`${app.baseUrl}/api/stream`)
    expect(res.status).toBe(401)
    expect(res.headers.get("content-type")).toContain("problem+json")
  })
})

describe("the web UI in the one-process mode", () => {
  it("serves index.html for page paths, hashed assets with a long cache, and keeps API 404s", async () => {
    for (const path of ["/", "/tasks", "/settings/profile"]) {
      const res = await fetch(`${app.baseUrl}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get("cache-control")).toBe("no-cache")
      expect(await res.text()).toContain("<title>todo</title>")
    }
    const asset = await fetch(`${app.baseUrl}/assets/app-123.js`)
    expect(asset.headers.get("content-type")).toContain("text/javascript")
    expect(asset.headers.get("cache-control")).toContain("immutable")
    const api = await fetch(`${app.baseUrl}/api/does-not-exist`)
    expect(api.status).toBe(404)
    expect(api.headers.get("content-type")).toContain("problem+json")
    const post = await fetch(`${app.baseUrl}/tasks`, { method: "POST" })
    expect(post.status).toBe(404)
  })
})
