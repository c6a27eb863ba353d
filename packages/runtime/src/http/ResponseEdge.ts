import { Effect, Predicate } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { problemResponse } from "./Problem.ts"

/**
 * The security headers of every response, UI and API alike (the web image's nginx sends the same,
 * deploy/docker/nginx/default.conf). Scripts, styles, images and connections come from our own origin only; no
 * inline script anywhere; no page of ours may be framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ")

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  // frame-ancestors' predecessor, for browsers that predate it.
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
}

/** Adds the security headers a response does not set itself (a page may bring a policy of its own). */
export const withSecurityHeaders = (response: HttpServerResponse.HttpServerResponse) => {
  const missing = Object.entries(SECURITY_HEADERS).filter(([name]) => response.headers[name] === undefined)
  return missing.length === 0
    ? response
    : HttpServerResponse.setHeaders(response, Object.fromEntries(missing))
}

const isDecodable = (path: string) => {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

/**
 * A request no route could take: the router finds none for a path whose percent-encoding is malformed (`/api/%`),
 * and would answer an empty 404. Every error the server writes is problem+json.
 */
const unroutable = (request: HttpServerRequest.HttpServerRequest) => {
  const path = request.url.split("?")[0] ?? request.url
  return isDecodable(path)
    ? problemResponse({ status: 404, detail: `No route for ${request.method} ${path}.` })
    : problemResponse({
        status: 400,
        detail: "The path is not valid percent-encoding.",
        errors: [{ path: "path", message: "Malformed percent-encoding" }],
      })
}

const isRouteNotFound = (error: unknown): boolean =>
  Predicate.isTagged(error, "HttpServerError") &&
  Predicate.hasProperty(error, "reason") &&
  Predicate.isTagged(error.reason, "RouteNotFound")

/** Every response leaves through here, whichever route (or none) answered it. */
export const ResponseEdge = HttpRouter.middleware(
  (httpEffect) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      // Routes answer their own errors (withRequestContext); only the router's "no route" reaches here.
      const response = yield* httpEffect.pipe(
        Effect.catchIf(isRouteNotFound, () => Effect.succeed(unroutable(request))),
      )
      return withSecurityHeaders(response)
    }),
  { global: true },
)
