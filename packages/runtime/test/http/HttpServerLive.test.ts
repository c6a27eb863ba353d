import { ConfigProvider, Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { describe, expect, it } from "vitest"
import { freePort } from "../../src/EmbeddedPostgres.ts"
import { HttpServerLive } from "../../src/http/HttpServerLive.ts"

const serverOnFreePort = async () => {
  const port = await Effect.runPromise(freePort)
  return HttpServerLive(4000).pipe(
    Layer.provide(
      ConfigProvider.layer(ConfigProvider.fromEnv({ env: { PORT: String(port), HOST: "127.0.0.1" } })),
    ),
  )
}

/** Builds `layer` (which listens), runs `f` against its base URL, then shuts it down. */
const withServer = <E>(layer: Layer.Layer<HttpServer.HttpServer, E>, f: (url: string) => Promise<void>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(layer)
        const { address } = yield* HttpServer.HttpServer.pipe(Effect.provide(context))
        yield* Effect.promise(() => f(HttpServer.formatAddress(address)))
      }),
    ),
  )

describe("HttpServerLive", () => {
  it("answers 503 problem+json with Retry-After while no app is attached, instead of leaving the request hanging", async () => {
    await withServer(await serverOnFreePort(), async (url) => {
      const res = await fetch(`${url}/api/tasks`, { signal: AbortSignal.timeout(2_000) })
      expect(res.status).toBe(503)
      expect(res.headers.get("retry-after")).toBe("1")
      expect(res.headers.get("content-type")).toBe("application/problem+json")
      expect(await res.json()).toMatchObject({ status: 503, title: "Service Unavailable" })
    })
  })

  it("stands aside once the app's handler is attached", async () => {
    const Server = await serverOnFreePort()
    const App = HttpRouter.serve(HttpRouter.add("GET", "/ping", HttpServerResponse.text("pong"))).pipe(
      Layer.provideMerge(Server),
    )
    await withServer(App, async (url) => {
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2_000) })
        expect(res.status).toBe(200)
        expect(await res.text()).toBe("pong")
      }
    })
  })
})
