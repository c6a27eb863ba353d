import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer, request, type Server } from "node:http"
import { dirname, join } from "node:path"
import { freePort } from "@todo/runtime/embedded-postgres"
import { REPO_ROOT } from "@todo/testkit"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCommand } from "./support/Command.ts"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

/**
 * The README's curl example, run as written (after "# in another terminal") against the one-process system. Between
 * the two sits a proxy that plays a slow agent: for a second after the task is created it answers the suggestion
 * list with an empty page, so an example that reads the list once, racing the agent, prints no suggestion.
 */

const hasCurl = spawnSync("curl", ["--version"]).status === 0
if (!hasCurl) console.warn("[app] curl is not installed: the README's curl example is not run")

const example = () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8")
  const block = readme.slice(readme.indexOf("Or with curl:")).match(/```sh\n([\s\S]*?)```/)?.[1]
  if (!block) throw new Error("README.md: no sh block after 'Or with curl:'")
  return block.slice(block.indexOf("# in another terminal"))
}

let app: TestApp
let proxy: Server
let proxyPort: number
beforeAll(async () => {
  app = await startTestApp()
  const target = new URL(app.baseUrl)
  let taskCreatedAt = Number.POSITIVE_INFINITY
  proxy = createServer((req, res) => {
    const path = req.url ?? "/"
    if (req.method === "GET" && path.startsWith("/api/suggestions") && Date.now() - taskCreatedAt < 1_000) {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ items: [], nextCursor: null }))
      return
    }
    if (req.method === "POST" && path === "/api/tasks") taskCreatedAt = Date.now()
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(upstream)
  })
  proxyPort = await Effect.runPromise(freePort)
  await new Promise<void>((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve))
})
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve))
  await app?.stop()
})

describe("README", () => {
  it.skipIf(!hasCurl)(
    "the curl example waits for the overdue suggestion instead of racing the agent",
    async () => {
      const script = example().replaceAll("localhost:4000", `127.0.0.1:${proxyPort}`)
      const run = await runCommand("sh", ["-c", script], {
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      })
      expect(run.status, run.stderr).toBe(0)
      const page = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { items: Array<{ type: string }> }
      expect(page.items.map((s) => s.type)).toEqual(["overdue"])
    },
  )
})
