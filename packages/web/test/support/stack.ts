import { createReadStream, existsSync, statSync } from "node:fs"
import { createServer, request as httpRequest, type Server } from "node:http"
import { extname, join, normalize } from "node:path"
import { freePort } from "@todo/runtime/embedded-postgres"
import {
  createTestDatabase,
  type ServiceProcess,
  startService,
  type TestDatabaseHandle,
  type TestServer,
} from "@todo/testkit"
import { Effect } from "effect"
import { DIST, ensureBuilt } from "../../build.ts"

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
}

const isApiPath = (path: string) =>
  path.startsWith("/api/") || path === "/api" || path === "/health" || path === "/ready"

/**
 * Serves `dist` (index.html for unknown paths) and passes /api, /health and /ready through to the API, streaming
 * (so server-sent events work). Used only while the API server does not serve the UI itself.
 */
export const startFrontProxy = async (apiUrl: string): Promise<{ url: string; server: Server }> => {
  const api = new URL(apiUrl)
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    if (isApiPath(url.pathname)) {
      const upstream = httpRequest(
        {
          hostname: api.hostname,
          port: api.port,
          method: req.method,
          path: `${url.pathname}${url.search}`,
          headers: { ...req.headers, host: api.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
          // An upstream that dies mid-stream (a dropped event stream) drops the client's connection too.
          up.on("close", () => {
            if (!up.complete) res.destroy()
          })
        },
      )
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" })
        res.end("bad gateway")
      })
      req.pipe(upstream)
      res.on("close", () => upstream.destroy())
      return
    }
    const file = normalize(join(DIST, decodeURIComponent(url.pathname)))
    const inside = file.startsWith(DIST) && existsSync(file) && statSync(file).isFile()
    const path = inside ? file : join(DIST, "index.html")
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "cache-control": path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    })
    createReadStream(path).pipe(res)
  })
  const port = await Effect.runPromise(freePort)
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return { url: `http://127.0.0.1:${port}`, server }
}

export interface Stack {
  /** Where the browser goes: the API server itself once it serves the UI, else a small front proxy. */
  readonly webUrl: string
  readonly apiUrl: string
  readonly databaseUrl: string
  readonly servedByApi: boolean
  readonly output: () => string
  /** Calls `f` with everything the server writes from now on. */
  readonly onOutput: (f: (chunk: string) => void) => void
  readonly stop: () => Promise<void>
}

/**
 * A fresh database on the test server, the one-process server (`packages/app/src/main.ts`) on it, and the built UI
 * in front. Every browser suite of the run shares it (the web project's global setup); each test signs up users of
 * its own, so the per-IP sign-up limit is lifted.
 */
export const startStack = async (server: TestServer): Promise<Stack> => {
  await ensureBuilt()
  let db: TestDatabaseHandle | undefined
  let service: ServiceProcess | undefined
  let front: Server | undefined
  try {
    db = await createTestDatabase({ server })
    const port = await Effect.runPromise(freePort)
    service = await startService({
      script: "packages/app/src/main.ts",
      port,
      env: { DATABASE_URL: db.url, LOG_LEVEL: "info", AUTH_RATE_LIMIT_PER_IP: "100000" },
      readyTimeoutMs: 40_000,
    })
    const page = await fetch(`${service.url}/`).catch(() => undefined)
    const servedByApi = page?.ok === true && (await page.text()).includes('<div id="app">')
    let webUrl = service.url
    if (!servedByApi) {
      const proxy = await startFrontProxy(service.url)
      front = proxy.server
      webUrl = proxy.url
    }
    const handles = { db, service, front }
    return {
      webUrl,
      apiUrl: service.url,
      databaseUrl: db.url,
      servedByApi,
      output: service.output,
      onOutput: (f) => {
        handles.service.child.stdout?.on("data", (d) => f(String(d)))
        handles.service.child.stderr?.on("data", (d) => f(String(d)))
      },
      stop: async () => {
        handles.front?.closeAllConnections()
        await new Promise<void>((r) => (handles.front ? handles.front.close(() => r()) : r()))
        await handles.service.stop()
        await handles.db.drop()
      },
    }
  } catch (e) {
    front?.close()
    await service?.stop()
    await db?.drop()
    throw e
  }
}

/**
 * Why a scenario cannot run yet: the server answers `404 No route for …` for a route it does not have. Features
 * whose server side is still being built skip (with the reason printed) until the route lands;
 * TODO_WEB_REQUIRE_ROUTES=1 makes them fail instead.
 */
export const missingRoute = async (
  stack: Pick<Stack, "apiUrl">,
  method: string,
  path: string,
): Promise<string | null> => {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(method === "GET" ? {} : { body: "{}" }),
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined)
  if (res?.status !== 404) {
    await res?.body?.cancel()
    return null
  }
  const body = (await res.json().catch(() => ({}))) as { detail?: string }
  return body.detail?.startsWith("No route") ? `the server has no ${method} ${path} yet` : null
}

export const skipWithoutRoute = async (
  ctx: { skip: (note?: string) => void; task: { name: string } },
  stack: Pick<Stack, "apiUrl">,
  method: string,
  path: string,
) => {
  const reason = await missingRoute(stack, method, path)
  if (reason && !process.env.TODO_WEB_REQUIRE_ROUTES) {
    console.warn(`[web] skipping "${ctx.task.name}": ${reason} (waits on the server side)`)
    ctx.skip(reason)
  }
}
