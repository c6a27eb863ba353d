import http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import { startFakeApp } from "./helpers/FakeApp.ts"
import { harness, header, SUBSCRIPTION_8C } from "./helpers/Harness.ts"

const h = harness()

const freePort = async (): Promise<number> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe("subscriptions (DAPR.md §2 Programmatic, §8c)", () => {
  it("§8c: reads routes rules/default and deadLetterTopic from GET /dapr/subscribe", async () => {
    const mesh = h.mesh()
    const app = await h.app({ subscriptions: SUBSCRIPTION_8C })
    const agent = await mesh.addSidecar({ appId: "todo-agent", appPort: app.port })
    const [subscribe, config] = app.requests
    expect(subscribe?.method).toBe("GET")
    expect(subscribe?.url).toBe("/dapr/subscribe")
    expect(subscribe && header(subscribe, "dapr-app-id")).toBe("todo-agent")
    expect(subscribe && header(subscribe, "content-type")).toBe("application/json")
    expect(config?.url).toBe("/dapr/config")
    expect(
      agent.subscriptions.map(({ rules, ...rest }) => ({
        ...rest,
        rules: rules.map((r) => [r.match, r.path]),
      })),
    ).toEqual([
      {
        pubsubname: "pubsub-kafka",
        topic: "tasks-lifecycle",
        deadLetterTopic: "tasks-lifecycle-dlq",
        metadata: {},
        rules: [
          ['event.type == "tasks.deleted"', "/events/tasks-deleted"],
          ["", "/events/tasks-lifecycle"],
        ],
      },
    ])
  })

  it("accepts v1 `route`, lets `default` win over `route`, drops items without a route or for another pubsub", async () => {
    const mesh = h.mesh()
    const app = await h.app({
      subscriptions: [
        { pubsubname: "pubsub-kafka", topic: "a", route: "/a" },
        { pubsubname: "pubsub-kafka", topic: "b", route: "/ignored", routes: { default: "/b" } },
        { pubsubname: "pubsub-kafka", topic: "c" },
        { pubsubname: "other-pubsub", topic: "d", route: "/d" },
      ],
    })
    const agent = await mesh.addSidecar({ appId: "todo-agent", appPort: app.port })
    expect(agent.subscriptions.map((s) => [s.topic, s.rules.map((r) => r.path)])).toEqual([
      ["a", ["/a"]],
      ["b", ["/b"]],
    ])
    expect(mesh.log.warnings).toEqual([
      "todo-agent: topic c has an empty routes. removing from subscriptions list",
      "todo-agent: pubsub other-pubsub not found; subscription to d ignored",
    ])
  })

  it("treats 404, an empty 200 and other statuses as no subscriptions; rejects bad JSON", async () => {
    const mesh = h.mesh()
    for (const subscribeAnswer of [{ status: 404 }, { status: 200, body: "" }, { status: 500 }]) {
      const app = await h.app({ subscribeAnswer })
      const sidecar = await mesh.addSidecar({ appId: `app-${subscribeAnswer.status}`, appPort: app.port })
      expect(sidecar.subscriptions).toEqual([])
    }
    const bad = await h.app({ subscribeAnswer: { status: 200, body: "[{" } })
    await expect(mesh.addSidecar({ appId: "bad", appPort: bad.port })).rejects.toThrow(
      /error getting topics from app/,
    )
  })

  it("rejects a routing rule outside the supported CEL subset, naming it", async () => {
    const mesh = h.mesh()
    const app = await h.app({
      subscriptions: [
        {
          pubsubname: "pubsub-kafka",
          topic: "t",
          routes: { rules: [{ match: 'event.type.startsWith("x")', path: "/x" }] },
        },
      ],
    })
    await expect(mesh.addSidecar({ appId: "todo-agent", appPort: app.port })).rejects.toThrow(
      /event\.type\.startsWith/,
    )
  })

  it("waits for an app that starts after its sidecar, and gives up after appReadyTimeoutMs", async () => {
    const mesh = h.mesh()
    const port = await freePort()
    const starting = mesh.addSidecar({ appId: "late", appPort: port, appPollIntervalMs: 10 })
    const app = await startFakeApp({
      port,
      subscriptions: [{ pubsubname: "pubsub-kafka", topic: "t", route: "/t" }],
    })
    try {
      const sidecar = await starting
      expect(sidecar.subscriptions.map((s) => s.topic)).toEqual(["t"])
    } finally {
      await mesh.close()
      await app.close()
    }
    const never = await freePort()
    await expect(
      h.mesh().addSidecar({ appId: "never", appPort: never, appReadyTimeoutMs: 100, appPollIntervalMs: 10 }),
    ).rejects.toThrow(/did not answer GET \/dapr\/subscribe within 100 ms/)
  })

  it("connectApp() binds an app that needed the sidecar's port first; healthz turns 204 then", async () => {
    const mesh = h.mesh()
    const sidecar = await mesh.addSidecar({ appId: "todo-agent" })
    const app = await h.app({ subscriptions: [{ pubsubname: "pubsub-kafka", topic: "t", route: "/t" }] })
    await sidecar.connectApp(app.port)
    expect(sidecar.subscriptions.map((s) => s.topic)).toEqual(["t"])
    await sidecar.publish("t", { hello: 1 })
    await mesh.waitFor(() => app.deliveries("/t").length === 1)
  })
})
