import { createConfig, lintFromString } from "@redocly/openapi-core"
import { Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, SignUp, Settings } from "../src/Account.ts"
import { ChatRequest } from "../src/Chat.ts"
import { contract } from "../src/contract.ts"
import { openApiDocument } from "../src/OpenApi.ts"
import { CreateTask, ListTasksQuery, QuickAddRequest, Recurrence } from "../src/Task.ts"

type Json = { [key: string]: unknown }
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

const doc = openApiDocument({ version: "1.0.0" })
const components = doc.components.schemas as Record<string, Json>
type Operation = {
  operationId: string
  tags: Array<string>
  security?: Array<unknown>
  parameters?: Array<Json & { name: string; in: string; schema: Json; description?: string }>
  requestBody?: Json & { content: Record<string, { schema: Json }> }
  responses: Record<string, Json & { description?: string; content?: Record<string, { schema: Json }> }>
}
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
)
const operation = (method: string, path: string) => {
  const found = operations.find((o) => o.method === method && o.path === path)
  if (found === undefined) throw new Error(`no ${method} ${path}`)
  return found.op
}
const deref = (schema: Json): Json =>
  typeof schema.$ref === "string" ? (components[schema.$ref.split("/").pop()!] ?? {}) : schema
/** A property's schema, with `null` and references taken away: what a non-null value must be. */
const valueSchema = (schema: Json): Json => {
  const s = deref(schema)
  if (Array.isArray(s.anyOf)) {
    const branch = s.anyOf.find((b) => isObject(b) && b.type !== "null")
    return isObject(branch)
      ? { ...deref(branch), ...(s.description ? { description: s.description } : {}) }
      : s
  }
  return s
}
const property = (component: string, name: string) => {
  const props = components[component]?.properties
  if (!isObject(props) || !isObject(props[name])) throw new Error(`${component} has no property ${name}`)
  return props[name] as Json
}
const parameter = (method: string, path: string, name: string) => {
  const p = operation(method, path).parameters?.find((x) => x.name === name)
  if (p === undefined) throw new Error(`${method} ${path} has no parameter ${name}`)
  return p
}

/** Every schema in the document (components, parameters, bodies, answers), with where it is. */
const everySchema = (): Array<{ where: string; schema: Json }> => {
  const out: Array<{ where: string; schema: Json }> = []
  const walk = (where: string, schema: unknown) => {
    if (!isObject(schema)) return
    out.push({ where, schema })
    if (isObject(schema.properties))
      for (const [k, v] of Object.entries(schema.properties)) walk(`${where}.${k}`, v)
    if (isObject(schema.items)) walk(`${where}[]`, schema.items)
    for (const key of ["anyOf", "oneOf", "allOf"] as const)
      if (Array.isArray(schema[key]))
        schema[key].forEach((s, i) => {
          walk(`${where}|${i}`, s)
        })
  }
  for (const [name, schema] of Object.entries(components)) walk(name, schema)
  for (const { path, method, op } of operations) {
    for (const p of op.parameters ?? []) walk(`${method} ${path} ${p.in} ${p.name}`, p.schema)
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
      walk(`${method} ${path} body ${type}`, media.schema)
    for (const [status, r] of Object.entries(op.responses))
      for (const [type, media] of Object.entries(r.content ?? {}))
        walk(`${method} ${path} ${status} ${type}`, media.schema)
  }
  return out
}

describe("OpenAPI document", () => {
  /**
   * Redocly's `recommended-strict` ruleset (the structure of OpenAPI 3.1, resolvable references, examples valid
   * against their schemas, unique operation ids, declared path parameters and security, no unused components), as
   * errors, plus what a client generator relies on: one tag per operation and every tag described, a description on
   * every parameter, array query parameters with an explicit serialization, and 4xx answers as RFC 7807/9457
   * `application/problem+json`. Two of its rules are off: `info-license` (the project publishes no licence; naming
   * one would be made up) and `operation-4xx-response` (`/health` and `/ready` take no input, so they have no 4xx;
   * the test below checks that every operation taking input declares its 400).
   */
  it("passes Redocly's lint (recommended-strict and the client-generator rules) with no problem", async () => {
    const config = await createConfig({
      extends: ["recommended-strict"],
      rules: {
        "info-license": "off",
        "info-license-strict": "off",
        "operation-4xx-response": "off",
        "operation-4xx-problem-details-rfc7807": "error",
        "operation-singular-tag": "error",
        "operation-tag-defined": "error",
        "tag-description": "error",
        "parameter-description": "error",
        "operation-description": "off",
        "array-parameter-serialization": "error",
        "component-name-unique": "error",
        "no-invalid-schema-examples": "error",
        "no-invalid-media-type-examples": "error",
      },
    })
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: "/openapi.json",
      config,
    })
    expect(problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([])
  })

  it("describes every schema, property and parameter, every body and every answer", () => {
    const undescribed = everySchema()
      .filter(({ where }) => !where.includes("|")) // branches of a union are described by the union
      .filter(({ where, schema }) => !(where.endsWith("[]") && schema.type === "string")) // a list's texts: by the list
      .filter(({ schema }) => {
        if (typeof schema.description === "string" && schema.description.length > 0) return false
        // A reference is described by what it names.
        return !(typeof schema.$ref === "string" && typeof deref(schema).description === "string")
      })
      .map(({ where }) => where)
      // The root of a body or an answer is described by the body or answer object (checked below).
      .filter((where) => !/ (body|\d{3}) [a-z/+-]+$/.test(where))
      // A parameter's schema: the parameter object carries the description (linted above).
      .filter((where) => !/ (path|query|header) [\w-]+$/.test(where))
    expect(undescribed).toEqual([])
    for (const { path, method, op } of operations) {
      if (op.requestBody)
        expect(op.requestBody.description, `${method} ${path} body`).toEqual(expect.any(String))
      for (const [status, r] of Object.entries(op.responses))
        expect(r.description, `${method} ${path} ${status}`).toMatch(/\w/)
    }
  })

  it("types instants as date-time, ids as uuid, and counts as integers", () => {
    for (const [component, name] of [
      ["Task", "dueDate"],
      ["Task", "createdAt"],
      ["CreateTask", "dueDate"],
      ["CreateTask", "remindAt"],
      ["Suggestion", "createdAt"],
      ["TaskCreated", "timestamp"],
    ] as const) {
      expect(valueSchema(property(component, name)), `${component}.${name}`).toMatchObject({
        type: "string",
        format: "date-time",
      })
    }
    expect(parameter("get", "/api/tasks", "dueBefore").schema).toMatchObject({
      type: "string",
      format: "date-time",
    })
    for (const [component, name] of [
      ["Task", "id"],
      ["Suggestion", "taskId"],
      ["ChatRequest", "conversationId"],
    ] as const) {
      expect(valueSchema(property(component, name)), `${component}.${name}`).toMatchObject({ format: "uuid" })
    }
    expect(parameter("get", "/api/tasks/{id}", "id").schema).toMatchObject({ type: "string", format: "uuid" })
    expect(property("Task", "version")).toMatchObject({ type: "integer", minimum: 1 })
    expect(property("Problem", "status")).toMatchObject({ type: "integer", minimum: 400, maximum: 599 })
    expect(parameter("get", "/api/tasks", "limit").schema).toEqual({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 50,
    })
    expect(parameter("get", "/api/tasks", "overdue").schema).toEqual({ type: "boolean" })
    expect(parameter("get", "/api/tasks", "tag")).toMatchObject({
      style: "form",
      explode: true,
      schema: { type: "array", items: { type: "string", maxLength: 50 } },
    })
  })

  it("describes a recurrence as an RFC 5545 RRULE, with examples the contract accepts", () => {
    const recurrence = valueSchema(property("CreateTask", "recurrence"))
    expect(recurrence.description).toMatch(/RFC 5545/)
    expect(recurrence.examples).toEqual(expect.arrayContaining(["FREQ=WEEKLY;BYDAY=MO,TH"]))
    for (const example of recurrence.examples as Array<string>)
      expect(Exit.isSuccess(Schema.decodeUnknownExit(Recurrence)(example)), example).toBe(true)
  })

  it("states each text's length limit as the contract enforces it (characters, as JSON Schema counts them)", () => {
    const decodes = (schema: Schema.Top, value: unknown) =>
      Exit.isSuccess(Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)(value))
    // An astral character (two UTF-16 units) counts once, in JSON Schema as in the contract.
    const text = (n: number) => "😀".repeat(n)
    const cases: Array<[string, Json, Schema.Top, (v: string) => unknown]> = [
      ["CreateTask.title", valueSchema(property("CreateTask", "title")), CreateTask, (v) => ({ title: v })],
      [
        "CreateTask.description",
        valueSchema(property("CreateTask", "description")),
        CreateTask,
        (v) => ({ title: "t", description: v }),
      ],
      [
        "QuickAddRequest.text",
        valueSchema(property("QuickAddRequest", "text")),
        QuickAddRequest,
        (v) => ({ text: v }),
      ],
      [
        "ChatRequest.message",
        valueSchema(property("ChatRequest", "message")),
        ChatRequest,
        (v) => ({ message: v }),
      ],
      [
        "SignUp.name",
        valueSchema(property("SignUp", "name")),
        SignUp,
        (v) => ({ email: "ada@example.com", password: "plum-kettle-orbit-42", name: v }),
      ],
      ["query q", parameter("get", "/api/tasks", "q").schema, ListTasksQuery, (v) => ({ q: v })],
    ]
    for (const [where, schema, codec, wrap] of cases) {
      const max = schema.maxLength
      expect(max, where).toEqual(expect.any(Number))
      expect(decodes(codec, wrap(text(max as number))), `${where}: ${max} characters`).toBe(true)
      expect(decodes(codec, wrap(text((max as number) + 1))), `${where}: ${max}+1 characters`).toBe(false)
    }
    const password = valueSchema(property("SignUp", "password"))
    expect(password).toMatchObject({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
    const signUp = (p: string) => decodes(SignUp, { email: "ada@example.com", password: p, name: "Ada" })
    expect(signUp("a".repeat(PASSWORD_MIN_LENGTH))).toBe(true)
    expect(signUp("a".repeat(PASSWORD_MIN_LENGTH - 1))).toBe(false)
    expect(signUp("a".repeat(PASSWORD_MAX_LENGTH + 1))).toBe(false)
    // Required texts are trimmed and must not be blank: the pattern says so.
    expect(valueSchema(property("CreateTask", "title")).pattern).toBe("\\S")
    expect(decodes(CreateTask, { title: "   " })).toBe(false)
    expect(valueSchema(property("CreateTask", "tags"))).toMatchObject({ type: "array", maxItems: 20 })
    expect(valueSchema(property("SettingsInput", "timezone"))).toMatchObject({ maxLength: 64 })
    expect(decodes(Settings, { timezone: "Europe/Berlin", agentsEnabled: true })).toBe(true)
  })

  it("answers every error as application/problem+json with the Problem schema, and only the statuses a route declares", () => {
    for (const { path, method, op } of operations) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue
        expect(Object.keys(r.content ?? {}), `${method} ${path} ${status}`).toEqual([
          "application/problem+json",
        ])
        expect(r.content?.["application/problem+json"]?.schema).toEqual({
          $ref: "#/components/schemas/Problem",
        })
      }
      // Every route can fail unexpectedly; every route taking input can refuse it.
      expect(Object.keys(op.responses), `${method} ${path}`).toContain("500")
      if (op.parameters?.length || op.requestBody) expect(Object.keys(op.responses)).toContain("400")
      if (op.requestBody) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["413", "415"]))
    }
    const statuses = (method: string, path: string) => Object.keys(operation(method, path).responses)
    expect(statuses("get", "/api/tasks/{id}")).toEqual(["200", "400", "401", "404", "500"])
    expect(statuses("patch", "/api/tasks/{id}")).toEqual([
      "200",
      "400",
      "401",
      "404",
      "412",
      "413",
      "415",
      "500",
    ])
    expect(statuses("post", "/api/auth/sign-up")).toEqual(["201", "400", "409", "413", "415", "429", "500"])
    expect(statuses("post", "/api/suggestions/{id}/accept")).toEqual([
      "200",
      "400",
      "401",
      "404",
      "409",
      "500",
    ])
    expect(statuses("get", "/health")).toEqual(["200", "500"])
    expect(operation("post", "/api/auth/sign-in").responses["429"]?.headers).toHaveProperty("Retry-After")
    // The document's statuses are the contract's: the route's declared responses, which the server holds to its
    // handlers' typed errors at compile time (packages/runtime/test/http/StatusCheck.test.ts).
    expect(statuses("post", "/api/chat")).toEqual(Object.keys(contract.api.chat.send.responses).sort())
  })

  it("asks for a bearer token everywhere but sign-up, sign-in, /health and /ready", () => {
    expect(doc.security).toEqual([{ bearer: [] }])
    const open = operations.filter(({ op }) => op.security !== undefined)
    expect(open.map(({ op }) => op.operationId).sort()).toEqual([
      "authSignIn",
      "authSignUp",
      "systemHealth",
      "systemReady",
    ])
    for (const { op } of open) expect(op.security).toEqual([])
  })

  it("gives examples: of the bodies, the answers and the values that take a format", () => {
    for (const name of [
      "CreateTask",
      "UpdateTask",
      "Task",
      "SignUp",
      "QuickAddRequest",
      "Settings",
      "Problem",
    ])
      expect((components[name]?.examples as Array<unknown> | undefined)?.length, name).toBeGreaterThan(0)
    expect(valueSchema(property("CreateTask", "dueDate")).examples).toEqual(["2026-11-25T09:00:00Z"])
    // Every example decodes with the contract's own schema (Redocly checked them against the document's).
    for (const example of (components.CreateTask?.examples ?? []) as Array<unknown>)
      expect(Exit.isSuccess(Schema.decodeUnknownExit(CreateTask)(example))).toBe(true)
  })

  it("tells the task events apart by eventType (a discriminator a generator makes a tagged union of)", () => {
    expect(components.TaskEvent).toMatchObject({
      discriminator: {
        propertyName: "eventType",
        mapping: { "tasks.created": "#/components/schemas/TaskCreated" },
      },
    })
    expect(components.TaskEvent?.oneOf).toHaveLength(7)
  })

  it("gives each operation an identifier a generator can use as a method name, and one tag", () => {
    const ids = operations.map(({ op }) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const { op } of operations) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]*$/)
      expect(op.tags).toHaveLength(1)
    }
    expect(operation("get", "/api/tasks").operationId).toBe("tasksList")
  })
})
