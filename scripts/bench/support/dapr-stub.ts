// A stand-in for the API's Dapr sidecar, run as its own process by scripts/bench/api.ts: answers every publish
// with 204 (as daprd does once the broker has the message) and the outbound health check with 204, so the API's
// outbox relay does its real work (claim, POST, mark published) without a broker behind it. Prints its port as
// one JSON line; GET /count answers how many publishes it has taken.
import { createServer } from "node:http"

let published = 0
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url?.startsWith("/v1.0/publish/")) {
    req.resume()
    req.on("end", () => {
      published++
      res.writeHead(204).end()
    })
    return
  }
  if (req.url?.startsWith("/v1.0/healthz")) {
    res.writeHead(204).end()
    return
  }
  if (req.url === "/count") {
    res.writeHead(200, { "content-type": "text/plain" }).end(String(published))
    return
  }
  res.writeHead(404).end()
})
server.keepAliveTimeout = 65_000
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  )
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
process.on("disconnect", () => process.exit(0))
