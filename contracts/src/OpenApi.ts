import { type AppRoute, type AppRouter, isAppRoute, isAppRouteOtherResponse } from "@ts-rest/core"
import { JsonSchema, Schema, SchemaAST, SchemaRepresentation } from "effect"
import { contract } from "./contract.ts"

/**
 * The OpenAPI 3.1 document of the API, generated from the contract and never written by hand: every schema in it is
 * the JSON Schema (draft 2020-12) Effect derives from the contract's own schemas and their annotations, every
 * operation's responses are the statuses its route declares (which the server holds to its handlers' typed errors,
 * packages/runtime/src/http/ContractRouter.ts), and each error is `application/problem+json`.
 *
 * - Named schemas (those with a `title`: objects and enums) become `components/schemas`; the rest stay inline.
 * - Request bodies and parameters describe what a client sends (the encoded side). Objects a client sends are
 *   closed (`additionalProperties: false`) because the server refuses unknown fields; answers leave it unsaid, so a
 *   field added later is not a breaking change. A schema both sent and answered (`Settings`) is named
 *   `SettingsInput` on the way in.
 * - A query parameter whose value decodes to a number, a boolean or a list is described by what it decodes to
 *   (`limit` is an integer 1–100; `tag` an array, repeated `tag=a&tag=b`): that is how OpenAPI serializes them.
 */
export const openApiDocument = (options: { readonly version: string; readonly serverUrl?: string }) => {
  const sets = {
    request: new SchemaSet({ onExcessProperty: "error", named: true }),
    response: new SchemaSet({ onExcessProperty: "ignore", named: true }),
    decoded: new SchemaSet({ onExcessProperty: "error", named: false }),
  }
  const plans = operationsOf(contract).map((operation) => plan(operation, sets))
  const compiled = {
    request: sets.request.compile(),
    response: sets.response.compile(),
    decoded: sets.decoded.compile(),
  }
  const { schemas, renamed } = mergeComponents(compiled.request.definitions, compiled.response.definitions)
  addDiscriminators(schemas)
  const request = {
    ...compiled.request,
    schemas: compiled.request.schemas.map((s) => renameRefs(s, renamed)),
  }
  const paths: Record<string, Record<string, unknown>> = {}
  for (const p of plans) {
    const path = p.route.path.replace(/:(\w+)/g, "{$1}")
    paths[path] = {
      ...paths[path],
      [p.route.method.toLowerCase()]: render(p, request, compiled.response, compiled.decoded),
    }
  }
  const usedTags = new Set(plans.map((p) => p.tag))
  return {
    openapi: "3.1.0",
    info: {
      title: "todo-app API",
      version: options.version,
      description:
        "Tasks with priority, due dates, reminders, recurrence and tags; agent suggestions; a chat assistant.\n\n" +
        "Authenticate with `Authorization: Bearer <token>` from sign-up or sign-in. Every error is RFC 9457 " +
        "`application/problem+json`; a request that is not valid is a 400 whose `errors` name each field " +
        "(`body.title`, `query.limit`). Lengths count characters (Unicode code points). Instants are ISO 8601 " +
        "with an offset, answered in UTC.",
    },
    servers: [
      {
        url: options.serverUrl ?? "/",
        description: options.serverUrl ? "This server" : "The server this document was served from",
      },
    ],
    tags: Object.entries(TAGS)
      .filter(([name]) => usedTags.has(name))
      .map(([name, description]) => ({ name, description })),
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "The `token` that sign-up and sign-in answer.",
        },
      },
    },
  }
}

/** The operations' tags: the contract's groups, each described once. */
const TAGS: Record<string, string> = {
  system: "Liveness and readiness, for the orchestrator.",
  auth: "Accounts: sign up, sign in, sign out.",
  me: "The signed-in user and their settings.",
  tasks: "Tasks: create, change, complete, search, and quick add from natural language.",
  activity: "The history of the user's tasks, from the event log.",
  stream: "Live updates as server-sent events.",
  tags: "The user's tags.",
  suggestions: "The agents' suggestions: accept or dismiss.",
  notifications: "Reminders delivered to the user.",
  chat: "The assistant: conversations that may act on tasks.",
  admin: "Operators' routes (the admin role).",
}

/** What each error status means, whichever route answers it; the problem's `type` names the exact case. */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "The request is not valid: `errors` names each field in error (`body.title`, `query.cursor`) and why.",
  401: "No valid bearer token (signing in: a wrong email or password). `WWW-Authenticate` names the scheme.",
  403: "The signed-in user may not do this (an administrator's route).",
  404: "No such resource for this user (another user's is indistinguishable from a missing one).",
  409: "The resource's state does not allow this, or it already exists (`type` says which).",
  412: "`If-Match` names a version the task is no longer at: read it again.",
  413: "The body is larger than 1 MB.",
  415: "The body is not `application/json`.",
  429: "Too many attempts: `Retry-After` says when to try again.",
  500: "Something went wrong on the server; nothing about it is disclosed.",
  502: "The language model failed to answer.",
  503: "The service cannot do this now (the assistant is not configured, or the database does not answer).",
  504: "The language model did not answer in time.",
}

const PROBLEM_HEADERS: Record<number, Record<string, unknown>> = {
  401: {
    "WWW-Authenticate": {
      description: "The authentication scheme: `Bearer`.",
      schema: { type: "string" },
    },
  },
  429: {
    "Retry-After": {
      description: "Seconds to wait before trying again.",
      schema: { type: "integer", minimum: 0 },
    },
  },
}

interface Operation {
  readonly keys: ReadonlyArray<string>
  readonly route: AppRoute
}

const operationsOf = (router: AppRouter, at: ReadonlyArray<string> = []): Array<Operation> =>
  Object.entries(router).flatMap(([key, node]) =>
    isAppRoute(node) ? [{ keys: [...at, key], route: node }] : operationsOf(node, [...at, key]),
  )

type Json = { [key: string]: unknown }
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const schemaOf = (value: unknown): Schema.Top | undefined => (Schema.isSchema(value) ? value : undefined)

/** `api.tasks.list` → `tasksList`: unique, and an identifier in every client generator's language. */
const operationId = (keys: ReadonlyArray<string>) =>
  keys
    .filter((k, i) => !(i === 0 && k === "api"))
    .map((k, i) => (i === 0 ? k : k.charAt(0).toUpperCase() + k.slice(1)))
    .join("")

/** The contract's schemas of one direction, compiled together so that named schemas are shared components. */
class SchemaSet {
  private readonly asts: Array<SchemaAST.AST> = []
  private readonly options: { readonly onExcessProperty: "error" | "ignore"; readonly named: boolean }
  constructor(options: { readonly onExcessProperty: "error" | "ignore"; readonly named: boolean }) {
    this.options = options
  }

  /** Adds a schema (its JSON form: what travels); answers its index among the compiled schemas. */
  add(schema: Schema.Top, side: "encoded" | "decoded" = "encoded"): number {
    const json = Schema.toCodecJson(schema).ast
    this.asts.push(side === "decoded" ? SchemaAST.toType(json) : json)
    return this.asts.length - 1
  }

  compile(): Compiled {
    const compiled = compileAll(this.asts, this.options)
    // Annotations on a field (`annotateKey`) whose schema transforms (an Instant, a trimmed text) survive on the
    // decoded side only: the encoded side takes the descriptions it lacks from there, field by field.
    const decoded = compileAll(this.asts.map(SchemaAST.toType), this.options)
    compiled.schemas.forEach((schema, i) => {
      fillDescriptions(schema, decoded.schemas[i])
    })
    for (const [name, schema] of Object.entries(compiled.definitions)) {
      fillDescriptions(schema, decoded.definitions[name])
    }
    return compiled
  }
}

const compileAll = (
  asts: ReadonlyArray<SchemaAST.AST>,
  options: { readonly onExcessProperty: "error" | "ignore"; readonly named: boolean },
): Compiled => {
  const [first, ...rest] = asts
  if (first === undefined) return { schemas: [], definitions: {} }
  const multi = SchemaRepresentation.toRepresentations([first, ...rest], {
    referencePolicy: ({ ast }) => (options.named ? nameOf(ast) : undefined),
  })
  const document = JsonSchema.toMultiDocumentOpenApi3_1(
    SchemaRepresentation.toJsonSchemaMultiDocument(multi, { onExcessProperty: options.onExcessProperty }),
  )
  return {
    schemas: document.schemas.map((schema) => tidy(schema)),
    definitions: Object.fromEntries(
      Object.entries(document.definitions).map(([name, schema]) => [name, tidy(schema)]),
    ),
  }
}

/** Gives each property of `target` (recursively) that has no description the one `source` has for it. */
const fillDescriptions = (target: unknown, source: unknown): void => {
  if (!isObject(target) || !isObject(source)) return
  if (isObject(target.properties) && isObject(source.properties)) {
    for (const [key, property] of Object.entries(target.properties)) {
      const from = source.properties[key]
      if (isObject(property) && isObject(from)) {
        if (property.description === undefined && typeof from.description === "string") {
          property.description = from.description
        }
        fillDescriptions(property, from)
      }
    }
  }
  if (isObject(target.items)) fillDescriptions(target.items, source.items)
}

interface Compiled {
  readonly schemas: ReadonlyArray<Json>
  readonly definitions: Record<string, Json>
}

/** Objects and enums with a `title` are components, under that title; everything else stays inline. */
const nameOf = (ast: SchemaAST.AST): string | undefined => {
  const title = ast.annotations?.title
  return typeof title === "string" && (ast._tag === "Objects" || ast._tag === "Union") ? title : undefined
}

/**
 * Effect's output, made plainer for client generators: a described reference (`allOf: [{ $ref }, { description }]`)
 * becomes the reference with the description beside it (OpenAPI 3.1 allows that), and `additionalProperties: true`
 * (the default anyway) is left out.
 */
const tidy = (node: unknown): Json => {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk)
    if (!isObject(value)) return value
    const out: Json = {}
    for (const [key, v] of Object.entries(value)) {
      if (key === "additionalProperties" && v === true) continue
      out[key] = key === "examples" || key === "default" || key === "enum" || key === "const" ? v : walk(v)
    }
    // A field's annotations (and a check after a named schema's) arrive as `allOf` members of their own: fold each
    // member into the schema it narrows when their keywords do not overlap, which means the same.
    if (Array.isArray(out.allOf)) {
      let folded: Json = { ...out }
      delete folded.allOf
      const kept: Array<unknown> = []
      for (const member of out.allOf) {
        if (!isObject(member) || "$ref" in member || !foldable(folded, member)) kept.push(member)
        else folded = fold(folded, member)
      }
      // What remains may be one reference beside annotations: OpenAPI 3.1 lets the annotations sit beside it.
      if (kept.length === 1 && isObject(kept[0]) && "$ref" in kept[0] && !("type" in folded)) {
        return { ...kept[0], ...folded }
      }
      return kept.length === 0 ? folded : { ...folded, allOf: kept }
    }
    return out
  }
  const result = walk(node)
  return isObject(result) ? result : {}
}

const foldable = (schema: Json, member: Json) =>
  Object.keys(member).every(
    (k) =>
      ANNOTATION_KEYS.has(k) || !(k in schema) || JSON.stringify(schema[k]) === JSON.stringify(member[k]),
  )

/**
 * Merges a member into its schema. Of two descriptions, the field's wins over the named value's own (the one
 * beside a `title`).
 */
const fold = (schema: Json, member: Json): Json => {
  const memberIsValue = "title" in member && !("title" in schema)
  return memberIsValue ? { ...member, ...schema } : { ...schema, ...member }
}
const ANNOTATION_KEYS = new Set([
  "description",
  "title",
  "examples",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
])

/**
 * One set of components out of the two directions'. A schema both sent and answered, but closed on the way in, is
 * kept under its name for answers and as `<name>Input` for requests (`renamed` maps the request side's references).
 */
const mergeComponents = (request: Record<string, Json>, response: Record<string, Json>) => {
  const renamed = new Map<string, string>()
  for (const [name, schema] of Object.entries(request)) {
    if (name in response && JSON.stringify(response[name]) !== JSON.stringify(schema)) {
      renamed.set(name, `${name}Input`)
    }
  }
  const schemas: Record<string, Json> = { ...response }
  for (const [name, schema] of Object.entries(request)) {
    schemas[renamed.get(name) ?? name] = renameRefs(schema, renamed)
  }
  return { schemas, renamed }
}

const COMPONENT = "#/components/schemas/"

/** A property's one possible value, if it has exactly one. */
const constOf = (schema: unknown): unknown =>
  !isObject(schema)
    ? undefined
    : "const" in schema
      ? schema.const
      : Array.isArray(schema.enum) && schema.enum.length === 1
        ? schema.enum[0]
        : undefined

/**
 * A union of named objects told apart by a property each requires with one value of its own (`eventType` of the
 * task events) becomes `oneOf` with a `discriminator`, from which generators make a tagged union.
 */
const addDiscriminators = (schemas: Record<string, Json>) => {
  for (const schema of Object.values(schemas)) {
    const branches = schema.anyOf
    if (!Array.isArray(branches) || branches.length < 2) continue
    const refs = branches.map((b) => (isObject(b) && typeof b.$ref === "string" ? b.$ref : ""))
    const targets = refs.map((ref) => schemas[ref.slice(COMPONENT.length)])
    const first = targets[0]
    if (refs.includes("") || !isObject(first?.properties)) continue
    const propertyName = Object.keys(first.properties).find((name) => {
      const values = targets.map((t) =>
        Array.isArray(t?.required) && t.required.includes(name) && isObject(t.properties)
          ? constOf(t.properties[name])
          : undefined,
      )
      return values.every((v) => typeof v === "string") && new Set(values).size === values.length
    })
    if (propertyName === undefined) continue
    const mapping = Object.fromEntries(
      targets.map((t, i) => [
        String(constOf(isObject(t?.properties) ? t.properties[propertyName] : undefined)),
        refs[i],
      ]),
    )
    delete schema.anyOf
    Object.assign(schema, { oneOf: branches, discriminator: { propertyName, mapping } })
  }
}
const renameRefs = (node: Json, renamed: ReadonlyMap<string, string>): Json => {
  if (renamed.size === 0) return node
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk)
    if (!isObject(value)) return value
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        if (key === "$ref" && typeof v === "string" && v.startsWith(COMPONENT)) {
          const name = v.slice(COMPONENT.length)
          return [key, `${COMPONENT}${renamed.get(name) ?? name}`]
        }
        return [key, walk(v)]
      }),
    )
  }
  return walk(node) as Json
}

interface ParameterPlan {
  readonly in: "path" | "header" | "query"
  readonly encoded: number
  readonly decoded?: number
}

interface Plan {
  readonly keys: ReadonlyArray<string>
  readonly route: AppRoute
  readonly tag: string
  readonly parameters: ReadonlyArray<ParameterPlan>
  readonly body?: number
  readonly responses: ReadonlyArray<
    | { readonly status: string; readonly kind: "json" | "problem"; readonly schema: number }
    | { readonly status: string; readonly kind: "none" }
    | { readonly status: string; readonly kind: "other"; readonly contentType: string }
  >
}

/** Which of the contract's schemas an operation uses, added to the sets to be compiled together. */
const plan = (op: Operation, sets: Record<"request" | "response" | "decoded", SchemaSet>): Plan => {
  const { route } = op
  const parameters: Array<ParameterPlan> = []
  const pathParams = schemaOf(route.pathParams)
  if (pathParams) parameters.push({ in: "path", encoded: sets.request.add(pathParams) })
  if (isObject(route.headers)) {
    const fields: Record<string, Schema.Top> = {}
    for (const [name, s] of Object.entries(route.headers)) {
      const schema = schemaOf(s)
      if (schema) fields[name] = schema
    }
    if (Object.keys(fields).length > 0) {
      parameters.push({ in: "header", encoded: sets.request.add(Schema.Struct(fields)) })
    }
  }
  const query = schemaOf(route.query)
  if (query) {
    parameters.push({
      in: "query",
      encoded: sets.request.add(query),
      decoded: sets.decoded.add(query, "decoded"),
    })
  }
  const body = "body" in route ? schemaOf(route.body) : undefined
  const responses = Object.entries(route.responses).map(([status, response]) => {
    if (typeof response === "symbol") return { status, kind: "none" as const }
    if (isAppRouteOtherResponse(response))
      return { status, kind: "other" as const, contentType: response.contentType }
    const schema = schemaOf(response)
    if (schema === undefined) throw new Error(`${route.path} ${status}: not an Effect schema`)
    return {
      status,
      kind: Number(status) >= 400 ? ("problem" as const) : ("json" as const),
      schema: sets.response.add(schema),
    }
  })
  return {
    keys: op.keys,
    route,
    tag: op.keys[0] === "api" ? op.keys[1]! : op.keys[0]!,
    parameters,
    ...(body ? { body: sets.request.add(body) } : {}),
    responses,
  }
}

/** A compiled schema's description: its own, or that of the component it refers to. */
const descriptionOf = (schema: Json, definitions: Record<string, Json>): string | undefined => {
  if (typeof schema.description === "string") return schema.description
  const ref = schema.$ref
  if (typeof ref === "string" && ref.startsWith(COMPONENT)) {
    const description = definitions[ref.slice(COMPONENT.length)]?.description
    return typeof description === "string" ? description : undefined
  }
  return undefined
}

/** A parameter is absent or a string, never JSON `null` (which is how optional fields are said in JSON). */
const withoutNull = (schema: Json): Json => {
  if (!Array.isArray(schema.anyOf)) return schema
  const branches = schema.anyOf.filter((b) => !(isObject(b) && b.type === "null"))
  const { anyOf: _, ...own } = schema
  return branches.length === 1 && isObject(branches[0])
    ? { ...branches[0], ...own }
    : { ...own, anyOf: branches }
}

/** Query values that decode to these are described by what they decode to. */
const DECODED_TYPES = new Set(["integer", "number", "boolean", "array"])

const render = (p: Plan, request: Compiled, response: Compiled, decoded: Compiled) => {
  const parameters = p.parameters.flatMap((plan) => {
    const struct = request.schemas[plan.encoded]!
    const decodedStruct = plan.decoded === undefined ? undefined : decoded.schemas[plan.decoded]
    const properties = isObject(struct.properties) ? struct.properties : {}
    const required = new Set(Array.isArray(struct.required) ? struct.required : [])
    return Object.entries(properties).map(([name, raw]) => {
      const fromDecoded = isObject(decodedStruct?.properties) ? decodedStruct.properties[name] : undefined
      const chosen = isObject(fromDecoded) && DECODED_TYPES.has(String(fromDecoded.type)) ? fromDecoded : raw
      // A repeatable parameter is a list of what is sent once: its items keep the sent value's limits.
      const sentList =
        isObject(raw) && Array.isArray(raw.anyOf)
          ? raw.anyOf.find((b) => isObject(b) && b.type === "array")
          : undefined
      const { description, ...schema } = withoutNull(
        isObject(chosen) && chosen.type === "array" && isObject(sentList)
          ? { ...chosen, items: sentList.items }
          : isObject(chosen)
            ? chosen
            : {},
      )
      const text =
        description ??
        (isObject(raw) ? raw.description : undefined) ??
        (isObject(fromDecoded) ? fromDecoded.description : undefined)
      return {
        name,
        in: plan.in,
        ...(typeof text === "string" ? { description: text } : {}),
        required: plan.in === "path" || required.has(name),
        ...(schema.type === "array" ? { style: "form", explode: true } : {}),
        schema,
      }
    })
  })
  const body = p.body === undefined ? undefined : request.schemas[p.body]!
  const responses: Record<string, Json> = {}
  for (const r of p.responses) {
    const code = Number(r.status)
    if (r.kind === "problem") {
      responses[r.status] = {
        description: PROBLEM_DESCRIPTIONS[code] ?? "An error.",
        ...(PROBLEM_HEADERS[code] ? { headers: PROBLEM_HEADERS[code] } : {}),
        content: { "application/problem+json": { schema: response.schemas[r.schema] } },
      }
    } else if (r.kind === "json") {
      const schema = response.schemas[r.schema]!
      responses[r.status] = {
        description: descriptionOf(schema, response.definitions) ?? p.route.summary ?? "The answer.",
        content: { "application/json": { schema } },
      }
    } else if (r.kind === "other") {
      responses[r.status] = {
        description: p.route.summary ?? "The answer.",
        content: { [r.contentType]: { schema: { type: "string" } } },
      }
    } else {
      responses[r.status] = { description: "Done; no content." }
    }
  }
  const isPublic = isObject(p.route.metadata) && p.route.metadata.public === true
  return {
    operationId: operationId(p.keys),
    tags: [p.tag],
    summary: p.route.summary,
    ...(p.route.description ? { description: p.route.description } : {}),
    ...(isPublic ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            description: descriptionOf(body, request.definitions) ?? p.route.summary,
            content: { "application/json": { schema: body } },
          },
        }
      : {}),
    responses,
  }
}
