import type { AppRoute, ContractNoBodyType, ServerInferRequest, ServerInferResponses } from "@ts-rest/core"
import { ByteSize, Effect, Layer, Option, Predicate, Schema, SchemaIssue } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { compileDecoding, compileEncoding } from "../schema/Compiled.ts"
import { observeRequest } from "./Observability.ts"
import type { SqlError } from "effect/sql/SqlError"
import { type HttpError, meaningOf, problemResponse } from "./Problem.ts"
import { CorrelationId, correlationIdFrom, RequestLogFields } from "./RequestContext.ts"

/**
 * Serves a ts-rest contract with Effect handlers (docs/stack.md, decision 3): one HttpRouter route per contract route,
 * validated with the route's own Effect schemas (the contract holds them as Standard Schema), answered through the
 * response schema of the status the handler chose, so nothing undeclared leaks. A handler may fail only with errors
 * that carry their HTTP meaning (or a database error, a 500): anything else does not compile. Defects become a 500
 * that says nothing about internals.
 *
 * The statuses a route declares are the ones it can answer, no more, no fewer ({@link StatusCheck}): what its
 * handler returns and fails with (each error's `httpMeaning` has a literal status) plus what this edge answers by
 * itself. So the contract's per-route responses, and the OpenAPI document made from them, say what can occur.
 */

export const MAX_BODY_BYTES = 1_000_000

type Part = "params" | "query" | "body" | "headers"

export interface FieldIssue {
  readonly path: string
  readonly message: string
}

/** What a handler receives: the decoded request parts, typed from the contract. */
export type RouteInput<R extends AppRoute> = ServerInferRequest<R> & {
  readonly request: HttpServerRequest.HttpServerRequest
}
/** What a handler answers: one of the route's declared `{ status, body }` pairs. */
export type RouteOutput<R extends AppRoute> = ServerInferResponses<R>

/** What a route may fail with: an error that says what it means over HTTP, or a database error (a 500). */
export type RouteError = HttpError | SqlError

/** The statuses failing with `E` answers: each error's own, a 500 for a database error. */
export type FailureStatus<E> = E extends { readonly httpMeaning: { readonly status: infer S extends number } }
  ? S
  : 500

type HasKey<T, K extends PropertyKey> = T extends { readonly [P in K]: infer V }
  ? [V] extends [undefined]
    ? false
    : true
  : false
// No body is ts-rest's `ContractNoBody` symbol, which the contract's object types may widen to `symbol`.
type HasJsonBody<R> = R extends { readonly body: infer B }
  ? [B] extends [ContractNoBodyType | symbol]
    ? false
    : true
  : false
type HasHeaders<R> = R extends { readonly headers: infer H }
  ? H extends Record<string, unknown>
    ? keyof H extends never
      ? false
      : true
    : false
  : false

/**
 * What the edge answers by itself: 400 for a request part that fails its schema (any route taking input), 413 and
 * 415 for a JSON body too large or of another type, 500 for a defect (any route).
 */
export type EdgeStatus<R> =
  | 500
  | (true extends HasKey<R, "pathParams"> | HasKey<R, "query"> | HasJsonBody<R> | HasHeaders<R> ? 400 : never)
  | (HasJsonBody<R> extends true ? 413 | 415 : never)

type DeclaredStatus<R extends AppRoute> = Extract<keyof R["responses"], number>
type OutputStatus<A> = A extends { readonly status: infer S extends number } ? S : never

/**
 * Holds a route's declared statuses to what it can answer: nothing the handler fails with or the edge answers may
 * be undeclared, and nothing declared may be out of reach. `{}` when they agree; otherwise a property named after the mismatch, which
 * the route's argument lacks, so the compiler's error names the statuses.
 */
export type StatusCheck<R extends AppRoute, A, E> = [
  Exclude<FailureStatus<E> | EdgeStatus<R>, DeclaredStatus<R>>,
] extends [never]
  ? [Exclude<DeclaredStatus<R>, OutputStatus<A> | FailureStatus<E> | EdgeStatus<R>>] extends [never]
    ? unknown
    : {
        readonly "declared statuses the route never answers": Exclude<
          DeclaredStatus<R>,
          OutputStatus<A> | FailureStatus<E> | EdgeStatus<R>
        >
      }
  : {
      readonly "statuses the route answers that it does not declare": Exclude<
        FailureStatus<E> | EdgeStatus<R>,
        DeclaredStatus<R>
      >
    }

const parseOptions = { errors: "all", onExcessProperty: "error" } as const
const headerParseOptions = { errors: "all", onExcessProperty: "ignore" } as const

type Result<A, E> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: E }
const ok = <A>(value: A): Result<A, never> => ({ ok: true, value })
const err = <E>(error: E): Result<never, E> => ({ ok: false, error })

type Decoder = (input: unknown) => Result<unknown, ReadonlyArray<FieldIssue>>

const asSchema = (value: unknown): Schema.Top | undefined => (Schema.isSchema(value) ? value : undefined)

// The Standard Schema formatter (what `toStandardSchemaV1`'s validate answers), so the 400's messages are its own.
const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

const decoderFor = (schema: Schema.Top, part: Part): Decoder => {
  // Compiled and synchronous: the Standard Schema adapter ran a fiber with a scheduler of its own per request part.
  const decode = Schema.decodeUnknownSync(
    compileDecoding(schema as Schema.Codec<unknown, unknown>),
    part === "headers" ? headerParseOptions : parseOptions,
  )
  return (input) => {
    let value: unknown
    try {
      value = decode(input)
    } catch (error) {
      if (!Schema.isSchemaError(error)) throw error
      return err(
        formatIssue(error.issue).issues.map((issue) => ({
          path: [part, ...(issue.path ?? []).map((p) => (Predicate.isObject(p) && "key" in p ? p.key : p))]
            .map(String)
            .join("."),
          message: issue.message,
        })),
      )
    }
    return ok(value)
  }
}

/** Query parameters as an object: repeated keys and `key[0]=…` (ts-rest's encoding) both become arrays. */
export const queryObject = (url: URL): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  for (const [rawKey, value] of url.searchParams) {
    const indexed = rawKey.match(/^(.+)\[\d*\]$/)
    const key = indexed ? indexed[1]! : rawKey
    const prev = out[key]
    if (prev === undefined) out[key] = indexed ? [value] : value
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return out
}

const requestUrl = (request: HttpServerRequest.HttpServerRequest) =>
  Option.getOrElse(HttpServerRequest.toURL(request), () => new URL(request.url, "http://localhost"))

const invalid = (issues: ReadonlyArray<FieldIssue>) =>
  problemResponse({ status: 400, detail: "The request is not valid: see errors.", errors: issues })

const tooLarge = () =>
  problemResponse({
    status: 413,
    detail: `The body is larger than ${MAX_BODY_BYTES} bytes.`,
    // The rest of an oversized body is not worth reading: the connection closes after this answer.
    headers: { connection: "close" },
  })

/** Node's reader fails with a `MaxBytesError` (wrapped in the server's own error) once a body passes the limit. */
const isMaxBytes = (error: unknown): boolean => {
  for (let e = error, depth = 0; Predicate.isObject(e) && depth < 4; e = e.cause, depth++) {
    if (e._tag === "MaxBytesError") return true
  }
  return false
}

const readJsonBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    // A declared length over the limit is refused before a byte is read; a chunked body is counted as it arrives.
    const length = Number(request.headers["content-length"] ?? "0")
    if (length > MAX_BODY_BYTES) return err(tooLarge())
    const contentType = request.headers["content-type"] ?? ""
    const text = yield* request.text.pipe(
      Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(MAX_BODY_BYTES)),
      Effect.map((value) => ok(value)),
      Effect.catch((error) =>
        Effect.succeed(
          err(
            isMaxBytes(error)
              ? tooLarge()
              : problemResponse({ status: 400, detail: "The request body could not be read." }),
          ),
        ),
      ),
    )
    if (!text.ok) return text
    if (text.value.trim() === "") {
      return err(
        problemResponse({
          status: 400,
          detail: "A JSON body is required.",
          errors: [{ path: "body", message: "Missing body" }],
        }),
      )
    }
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
      return err(problemResponse({ status: 415, detail: "Send the body as application/json." }))
    }
    try {
      return ok(JSON.parse(text.value) as unknown)
    } catch (e) {
      return err(
        problemResponse({
          status: 400,
          detail: "The body is not valid JSON.",
          errors: [{ path: "body", message: e instanceof Error ? e.message : "Malformed JSON" }],
        }),
      )
    }
  })

const isNoBody = (schema: unknown) => typeof schema === "symbol"

/**
 * Serves one contract route. The route must declare exactly the statuses it can answer ({@link StatusCheck}); a
 * wrapper that adds failures of its own (authentication) checks with those and serves through {@link serveRoute}.
 */
export const route = <R extends AppRoute, A extends RouteOutput<R>, E extends RouteError, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<A, E, Rq> & NoInfer<StatusCheck<R, A, E>>,
) => serveRoute<R, E, Rq>(appRoute, handler)

/** Serves one contract route, without holding its declared statuses to its handler's (see {@link route}). */
export const serveRoute = <R extends AppRoute, E extends RouteError, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
) => {
  const decoders: Partial<Record<Part, Decoder>> = {}
  const pathParams = asSchema(appRoute.pathParams)
  if (pathParams) decoders.params = decoderFor(pathParams, "params")
  const query = asSchema(appRoute.query)
  if (query) decoders.query = decoderFor(query, "query")
  const body = "body" in appRoute ? asSchema(appRoute.body) : undefined
  if (body) decoders.body = decoderFor(body, "body")
  const headerSchemas = Predicate.isObject(appRoute.headers)
    ? Object.entries(appRoute.headers as Record<string, unknown>).flatMap(([name, s]) => {
        const schema = asSchema(s)
        return schema ? [[name.toLowerCase(), schema] as const] : []
      })
    : []
  if (headerSchemas.length > 0) {
    decoders.headers = decoderFor(Schema.Struct(Object.fromEntries(headerSchemas)), "headers")
  }
  const responses = new Map<number, Schema.Top | "none">()
  for (const [status, s] of Object.entries(appRoute.responses)) {
    const schema = asSchema(s)
    if (isNoBody(s)) responses.set(Number(status), "none")
    else if (schema) responses.set(Number(status), schema)
  }
  // Compiled (Effect's JIT, same schema, same checks): the interpreter's walk of the answer's schema was most of its
  // encoding, e.g. 101 → 33 µs for a page of 28 tasks.
  const encoders = new Map(
    [...responses].flatMap(([status, s]) =>
      s === "none"
        ? []
        : [[status, Schema.encodeUnknownSync(compileEncoding(s as Schema.Codec<unknown, unknown>))] as const],
    ),
  )

  const respond = (output: { status: number; body: unknown }) => {
    const declared = responses.get(output.status)
    if (declared === undefined)
      return Effect.die(new Error(`undeclared status ${output.status} for ${appRoute.path}`))
    if (declared === "none") return Effect.succeed(HttpServerResponse.empty({ status: output.status }))
    const encode = encoders.get(output.status)!
    return Effect.try({
      try: () => HttpServerResponse.jsonUnsafe(encode(output.body), { status: output.status }),
      catch: (cause) =>
        new Error(`response of ${appRoute.method} ${appRoute.path} does not match its schema: ${cause}`),
    }).pipe(Effect.orDie)
  }

  const serve = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const raw: Record<Part, unknown> = {
      params: decoders.params ? yield* HttpRouter.params : undefined,
      query: decoders.query ? queryObject(requestUrl(request)) : undefined,
      headers: request.headers,
      body: undefined,
    }
    if (decoders.body) {
      const parsed = yield* readJsonBody(request)
      if (!parsed.ok) return parsed.error
      raw.body = parsed.value
    }
    const input: Record<string, unknown> = { request }
    const issues: Array<FieldIssue> = []
    for (const part of ["params", "headers", "query", "body"] as const) {
      const decode = decoders[part]
      if (!decode) continue
      const result = decode(raw[part] ?? (part === "query" ? {} : undefined))
      if (result.ok) input[part] = result.value
      else issues.push(...result.error)
    }
    if (issues.length > 0) return invalid(issues)
    const output = yield* handler(input as RouteInput<R>).pipe(
      Effect.map(
        (o): Result<{ status: number; body: unknown }, E> => ok(o as { status: number; body: unknown }),
      ),
      Effect.catch((error: E) => Effect.succeed(err(error))),
    )
    if (output.ok) return yield* respond(output.value)
    const meaning = meaningOf(output.error)
    if (meaning.status >= 500) {
      const log = meaning.quiet ? Effect.logDebug : Effect.logError
      yield* log(`${appRoute.method} ${appRoute.path} failed`, output.error)
    }
    return problemResponse(meaning)
  })

  return served(appRoute, HttpRouter.add(appRoute.method, pathOf(appRoute), withRequestContext(serve)))
}

/** ts-rest paths (`/api/tasks/:id`) are the router's own syntax; the contract types them as plain strings. */
const pathOf = (appRoute: AppRoute) => appRoute.path as HttpRouter.PathInput

declare const servesRoute: unique symbol
/**
 * The layer that serves one contract route, marked (in types only) with the route it serves: {@link implement}
 * accepts at each place of the contract only the layer made for that very route.
 */
export type RouteLayer<R extends AppRoute, E, Rq> = Layer.Layer<never, E, Rq> & { readonly [servesRoute]?: R }

// The mark exists in types only; the layer itself is unchanged.
const served = <R extends AppRoute, E, Rq>(_: R, layer: Layer.Layer<never, E, Rq>) =>
  layer as RouteLayer<R, E, Rq>

/** Serves a contract route with a handler of its own making (a stream), under the route's method and path. */
export const rawRoute = <R extends AppRoute, E, Rq>(
  appRoute: R,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, Rq>,
) => served(appRoute, HttpRouter.add(appRoute.method, pathOf(appRoute), withRequestContext(handler)))

/** The server side of a (nested) contract router: at every route of it, the layer serving that route. */
export type Implementation<T> = {
  readonly [K in keyof T]: T[K] extends AppRoute
    ? RouteLayer<T[K], unknown, unknown>
    : T[K] extends Record<string, unknown>
      ? Implementation<T[K]>
      : never
}

type LayersOf<I> =
  I extends Layer.Layer<never, unknown, unknown>
    ? I
    : I extends object
      ? { [K in keyof I]: LayersOf<I[K]> }[keyof I]
      : never

/**
 * A contract implemented as one typed object: a route left out, misspelled, or given another route's layer does
 * not compile. Answers the layer serving them all.
 */
export const implement = <T extends Record<string, unknown>, const I extends Implementation<T>>(
  _contract: T,
  implementation: I,
): Layer.Layer<never, Layer.Error<LayersOf<I>>, Layer.Services<LayersOf<I>>> => {
  const layers: Array<Layer.Layer<never, unknown, unknown>> = []
  const walk = (node: object) => {
    for (const value of Object.values(node)) {
      if (Layer.isLayer(value)) layers.push(value)
      else if (Predicate.isObject(value)) walk(value)
    }
  }
  walk(implementation)
  // The types above already say which layers these are; mergeAll's tuple typing cannot follow a walk.
  return Layer.mergeAll(...(layers as [Layer.Layer<never, unknown, unknown>])) as Layer.Layer<
    never,
    Layer.Error<LayersOf<I>>,
    Layer.Services<LayersOf<I>>
  >
}

/**
 * Per request: the correlation id (`x-correlation-id` in, same header out) and a catch-all that turns a defect into
 * a bare 500 problem, logged with its cause.
 */
export const withRequestContext = <E, R>(
  effect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    const correlationId = correlationIdFrom(request.headers["x-correlation-id"])
    yield* Effect.annotateCurrentSpan({ "correlation.id": correlationId })
    const logFields: Record<string, unknown> = {}
    const response = yield* effect.pipe(
      Effect.provideService(CorrelationId, correlationId),
      Effect.provideService(RequestLogFields, logFields),
      Effect.annotateLogs({ correlationId }),
      Effect.annotateSpans({ "correlation.id": correlationId }),
      Effect.catchCause((cause) =>
        Effect.logError("request failed", cause).pipe(
          Effect.annotateLogs({ correlationId }),
          Effect.as(problemResponse({ status: 500, detail: "Something went wrong on our side." })),
        ),
      ),
    )
    yield* observeRequest(request, response.status, performance.now() - started, correlationId).pipe(
      Effect.annotateLogs(logFields),
    )
    return HttpServerResponse.setHeader(response, "x-correlation-id", correlationId)
  })

/** Answers any unmatched path with a 404 problem instead of an empty body. */
export const NotFoundRoute = HttpRouter.add(
  "*",
  "/*",
  withRequestContext(
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      return problemResponse({
        status: 404,
        detail: `No route for ${request.method} ${requestUrl(request).pathname}.`,
      })
    }),
  ),
)
