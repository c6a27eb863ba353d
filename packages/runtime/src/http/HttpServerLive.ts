import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
// The module, not the package index: the index also loads NodeRedis (all of `redis`) and NodeWS (`ws`).
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Config, Effect, Layer } from "effect"

/**
 * Node's server listens when its layer is built, and Effect attaches the app's `request` handler afterwards (and
 * detaches it on shutdown). A request in between would have no handler and hang until the client gives up: answer
 * it 503 with Retry-After instead. This listener is always first; once the app's is attached it stands aside.
 */
const answerWhileStarting = function (this: Server, _req: IncomingMessage, res: ServerResponse) {
  if (this.listenerCount("request") > 1) return
  res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "1", connection: "close" })
  res.end(
    JSON.stringify({
      type: "about:blank",
      title: "Service Unavailable",
      status: 503,
      detail: "The server is starting or stopping; retry in a moment.",
    }),
  )
}

/**
 * The Node HTTP server on HOST:PORT (default `127.0.0.1` and `defaultPort`). Provide it *last* in a composition
 * root: it accepts connections as soon as it is built, and until the router's layers exist requests are answered
 * 503 (docs/stack.md, Effect 4).
 */
export const HttpServerLive = (defaultPort: number) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const port = yield* Config.Port("PORT").pipe(Config.withDefault(defaultPort))
      const host = yield* Config.String("HOST").pipe(Config.withDefault("127.0.0.1"))
      return NodeHttpServer.layer(
        () => createServer({ keepAliveTimeout: 65_000 }).on("request", answerWhileStarting),
        { port, host },
      )
    }),
  )
