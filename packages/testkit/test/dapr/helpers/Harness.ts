import { afterEach } from "vitest"
import { DaprMesh, type DaprMeshOptions } from "../../../src/dapr/DaprMesh.ts"
import { type FakeApp, type FakeAppOptions, type ReceivedRequest, startFakeApp } from "./FakeApp.ts"

/** Per-test resources, closed after each test in creation order (mesh first, so no delivery hits a closed app). */
export const harness = () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of cleanups.splice(0)) await close()
  })
  return {
    mesh: (options?: DaprMeshOptions): DaprMesh => {
      const mesh = new DaprMesh(options)
      cleanups.push(() => mesh.close())
      return mesh
    },
    app: async (options?: FakeAppOptions): Promise<FakeApp> => {
      const app = await startFakeApp(options)
      cleanups.push(() => app.close())
      return app
    },
  }
}

/** DAPR.md §8c: the agent's subscription. */
export const SUBSCRIPTION_8C = [
  {
    pubsubname: "pubsub-kafka",
    topic: "tasks-lifecycle",
    routes: {
      rules: [{ match: 'event.type == "tasks.deleted"', path: "/events/tasks-deleted" }],
      default: "/events/tasks-lifecycle",
    },
    deadLetterTopic: "tasks-lifecycle-dlq",
  },
]

/** DAPR.md §8a: the published event and trace context. */
export const EVENT_8A = { taskId: "t-1", userId: "user-42", title: "buy milk" }
export const TRACEPARENT_8A = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

export const header = (req: ReceivedRequest, name: string): string | undefined => {
  const v = req.headers[name.toLowerCase()]
  return Array.isArray(v) ? v.join(",") : v
}

/** The CloudEvent id of a delivery. */
export const eventId = (req: ReceivedRequest): string =>
  (JSON.parse(req.body.toString("utf8")) as { id: string }).id

/** Fast retries for tests (Dapr's seed policy: 3 retries, 2 s apart). */
export const FAST = { maxRetries: 3, intervalMs: 20 } as const
