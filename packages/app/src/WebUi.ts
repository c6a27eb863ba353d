import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { extname, join, relative } from "node:path"
import { problemResponse, withRequestContext } from "@todo/runtime"
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
}

/** Every file of the built UI, read once at start-up: the bundle is small and never changes while we run. */
const load = (dist: string) => {
  const files = new Map<string, Uint8Array>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else files.set(`/${relative(dist, path).split("\\").join("/")}`, readFileSync(path))
    }
  }
  if (existsSync(join(dist, "index.html"))) walk(dist)
  return files
}

const decodedPath = (url: string): string | undefined => {
  try {
    return decodeURIComponent(new URL(url, "http://x").pathname)
  } catch {
    return undefined
  }
}

const isApiPath = (path: string) =>
  path === "/api" ||
  path.startsWith("/api/") ||
  path === "/health" ||
  path === "/ready" ||
  path === "/metrics"

/**
 * The one-process mode serves the built web UI (packages/web/dist) like the nginx image does in the cloud: hashed
 * assets with a year-long immutable cache, `index.html` for every other page path (the SPA routes on the client),
 * never for API paths, which keep their 404 problem.
 */
export const WebUiFallback = (dist: string) => {
  const files = load(dist)
  const index = files.get("/index.html")
  return HttpRouter.add(
    "*",
    "/*",
    withRequestContext(
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const path = decodedPath(request.url)
        if (path === undefined) {
          return problemResponse({ status: 400, detail: "The path is not valid percent-encoding." })
        }
        if (isApiPath(path) || (request.method !== "GET" && request.method !== "HEAD")) {
          return problemResponse({ status: 404, detail: `No route for ${request.method} ${path}.` })
        }
        const file = files.get(path)
        if (file !== undefined && path !== "/index.html") {
          return HttpServerResponse.uint8Array(file, {
            contentType: TYPES[extname(path)] ?? "application/octet-stream",
            headers: {
              "cache-control": path.startsWith("/assets/")
                ? "public, max-age=31536000, immutable"
                : "public, max-age=3600",
            },
          })
        }
        if (index === undefined) {
          return problemResponse({
            status: 503,
            detail: "The web UI is not built: run `npm run build:web` (npm start does it).",
          })
        }
        return HttpServerResponse.uint8Array(index, {
          contentType: TYPES[".html"]!,
          headers: { "cache-control": "no-cache" },
        })
      }),
    ),
  )
}
