import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"

/**
 * The Node HTTP server on HOST:PORT (PORT 0 picks a free port, for tests). Provide it *last* in a composition
 * root: it accepts connections as soon as it is built, and requests that arrive before the router's other layers
 * exist would hang (STACK.md §4).
 */
export const HttpServerLive = (defaultPort: number) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const port = yield* Config.Port("PORT").pipe(Config.withDefault(defaultPort))
      const host = yield* Config.String("HOST").pipe(Config.withDefault("127.0.0.1"))
      return NodeHttpServer.layer(() => createServer({ keepAliveTimeout: 65_000 }), { port, host })
    }),
  )
