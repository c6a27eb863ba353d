import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { problemResponse } from "@todo/runtime"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string
  }
).version

/** Generated on the first request, not at start-up: nobody pays for it until someone reads the docs. */
let document: Promise<unknown> | undefined
const loadDocument = () => {
  document ??= import("@todo/contracts/OpenApi").then(({ openApiDocument }) => openApiDocument({ version }))
  return document
}

/**
 * The interactive reference is Swagger UI, served from the swagger-ui-dist package (installed with the API, read
 * on first use): the page works offline and loads nothing from another origin, and it runs under the same strict
 * Content-Security-Policy as everything else, so the page starts it from a file of ours, not an inline script.
 */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"))

const ASSETS: Record<string, { readonly file: string; readonly contentType: string }> = {
  "swagger-ui.css": { file: "swagger-ui.css", contentType: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { file: "swagger-ui-bundle.js", contentType: "text/javascript; charset=utf-8" },
  "favicon-32x32.png": { file: "favicon-32x32.png", contentType: "image/png" },
}

const assetCache = new Map<string, Uint8Array>()
const asset = (name: string) => {
  let bytes = assetCache.get(name)
  if (bytes === undefined) {
    bytes = readFileSync(join(SWAGGER_DIR, ASSETS[name]!.file))
    assetCache.set(name, bytes)
  }
  return bytes
}

/** Starts Swagger UI on the generated document; no validator badge (it would call a third-party service). */
const initScript = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  })
})
`

const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>todo-app API reference</title>
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" />
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
  </head>
  <body>
    <noscript>The interactive reference needs JavaScript; the raw document is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>`

/** `GET /api/openapi.json` (OpenAPI 3.1 generated from the contract) and `GET /api/docs` (interactive reference). */
export const DocsRoutes = Layer.mergeAll(
  HttpRouter.add(
    "GET",
    "/api/openapi.json",
    Effect.promise(loadDocument).pipe(Effect.map((doc) => HttpServerResponse.jsonUnsafe(doc))),
  ),
  HttpRouter.add(
    "GET",
    "/api/docs",
    Effect.sync(() => HttpServerResponse.html(docsPage)),
  ),
  HttpRouter.add(
    "GET",
    "/api/docs/init.js",
    Effect.sync(() => HttpServerResponse.text(initScript, { contentType: "text/javascript; charset=utf-8" })),
  ),
  HttpRouter.add(
    "GET",
    "/api/docs/:asset",
    Effect.gen(function* () {
      const { asset: name } = yield* HttpRouter.params
      if (name === undefined || !Object.hasOwn(ASSETS, name)) {
        return problemResponse({ status: 404, detail: "No such asset of the API reference." })
      }
      return HttpServerResponse.uint8Array(asset(name), {
        contentType: ASSETS[name]!.contentType,
        headers: { "cache-control": "public, max-age=86400" },
      })
    }),
  ),
)
