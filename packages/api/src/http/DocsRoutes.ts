import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string
  }
).version

/** Operations anyone may call: no bearer token in the document. */
const PUBLIC = new Set(["system.health", "system.ready", "api.auth.signUp", "api.auth.signIn"])

/**
 * Generated on the first request, not at start-up: the OpenAPI generator (and the zod it brings) stays out of
 * memory until someone reads the docs.
 */
let document: Promise<unknown> | undefined
const loadDocument = () => {
  document ??= import("@todo/contracts/OpenApi").then(({ openApiDocument }) => {
    const doc = openApiDocument({ version }) as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown }>>
    }
    for (const operations of Object.values(doc.paths)) {
      for (const operation of Object.values(operations)) {
        if (operation.operationId && PUBLIC.has(operation.operationId)) operation.security = []
      }
    }
    return doc
  })
  return document
}

/** Scalar renders the document; pinned, loaded by the reader's browser. */
const SCALAR = "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.72.1/dist/browser/standalone.min.js"

const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>todo-app API reference</title>
  </head>
  <body>
    <noscript>The interactive reference needs JavaScript; the raw document is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
    <script id="api-reference" data-url="/api/openapi.json"></script>
    <script src="${SCALAR}" crossorigin></script>
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
)
