import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { DaprMeshTest } from "../../src/dapr/DaprMeshTest.ts"
import type { Sidecar } from "../../src/dapr/Sidecar.ts"
import { httpCall } from "../../src/dapr/SidecarHttp.ts"
import { startFakeApp } from "./helpers/FakeApp.ts"

describe("DaprMeshTest (Effect wrapper)", () => {
  it("acquires the mesh and sidecars in a scope and closes them when it ends", async () => {
    const app = await startFakeApp({
      subscriptions: [{ pubsubname: "pubsub-kafka", topic: "t", route: "/t" }],
    })
    let agent: Sidecar | undefined
    try {
      const delivered = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const mesh = yield* DaprMeshTest.scoped({
              defaults: { resiliency: { maxRetries: 1, intervalMs: 10 } },
            })
            const api = yield* DaprMeshTest.sidecar(mesh, { appId: "todo-api" })
            agent = yield* DaprMeshTest.sidecar(mesh, { appId: "todo-agent", appPort: app.port })
            yield* Effect.promise(() => api.publish("t", { n: 1 }))
            yield* Effect.promise(() => mesh.waitFor(() => app.deliveries("/t").length === 1))
            return app.deliveries("/t").length
          }),
        ),
      )
      expect(delivered).toBe(1)
      expect(agent?.running).toBe(false)
      await expect(httpCall(`${agent?.url}/v1.0/healthz`, "GET", {})).rejects.toThrow(/ECONNREFUSED/)
    } finally {
      await app.close()
    }
  })

  it("fails the sidecar effect when the app never answers", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.gen(function* () {
          const mesh = yield* DaprMeshTest.scoped()
          return yield* DaprMeshTest.sidecar(mesh, {
            appId: "x",
            appUrl: "http://127.0.0.1:1",
            appReadyTimeoutMs: 50,
            appPollIntervalMs: 10,
          })
        }),
      ),
    )
    expect(exit._tag).toBe("Failure")
  })
})
