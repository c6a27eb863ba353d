import { createServer, type Server } from "node:http"
import { freePort } from "@todo/runtime/embedded-postgres"
import { createTestDatabase, type TestDatabaseHandle } from "@todo/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { startTestApp } from "../support/TestApp.ts"
import { AGENT_MAIN, API_MAIN, killLaunched, launch, whenReady } from "./support/Launch.ts"

/** `/ready` says in its body whether the instance's Dapr sidecar answers. */

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  killLaunched()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const ready = async (url: string) => {
  const response = await fetch(`${url}/ready`)
  return { status: response.status, body: await response.json() }
}

/** Answers what daprd answers on its health endpoint once its components are loaded. */
const fakeSidecar = async (port: number) => {
  const server: Server = createServer((req, res) => {
    res.writeHead(req.method === "GET" && req.url === "/v1.0/healthz/outbound" ? 204 : 404).end()
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  cleanups.push(async () => {
    if (server.listening) await close()
  })
  return { close }
}

const database = async () => {
  const db: TestDatabaseHandle = await createTestDatabase()
  cleanups.push(() => db.drop())
  return db
}

describe("/ready and the sidecar", () => {
  it("npm start's one process has no sidecar, and says so", async () => {
    const app = await startTestApp()
    cleanups.push(() => app.stop())
    expect(await ready(app.baseUrl)).toEqual({ status: 200, body: { status: "ready", sidecar: "none" } })
  })

  it.each([
    ["api", API_MAIN, { BETTER_AUTH_SECRET: "ready-secret-ready-secret-ready-0123456789" }],
    ["agent", AGENT_MAIN, {}],
  ] as const)(
    "%s: reachable while its sidecar answers, unreachable (and still ready) once it is gone",
    async (_n, main, env) => {
      const db = await database()
      const [port, sidecarPort] = [await Effect.runPromise(freePort), await Effect.runPromise(freePort)]
      const sidecar = await fakeSidecar(sidecarPort)
      const launched = launch(main, {
        env: { DATABASE_URL: db.url, PORT: String(port), DAPR_HTTP_PORT: String(sidecarPort), ...env },
      })
      await whenReady(launched, port)
      const url = `http://127.0.0.1:${port}`
      expect(await ready(url)).toEqual({ status: 200, body: { status: "ready", sidecar: "reachable" } })
      await sidecar.close()
      expect(await ready(url)).toEqual({ status: 200, body: { status: "ready", sidecar: "unreachable" } })
    },
  )
})
