import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import type * as SchemaAST from "effect/SchemaAST"
import {
  canonicalTimeZone,
  contract,
  CreateTask,
  Instant,
  isEmailAddress,
  isWellFormedText,
  ListTasksQuery,
  Settings,
  SignUp,
} from "../src/index.ts"

/** Every route of a (nested) ts-rest router, with its dotted name. */
const routesOf = (router: object, name = ""): Array<[string, Record<string, unknown>]> =>
  Object.entries(router).flatMap(([key, value]): Array<[string, Record<string, unknown>]> => {
    const v = value as Record<string, unknown>
    const here = name === "" ? key : `${name}.${key}`
    if (typeof v.method === "string" && typeof v.path === "string") return [[here, v]]
    return typeof value === "object" && value !== null ? routesOf(value, here) : []
  })

/**
 * The paths of every string in a request schema's decoded type that lacks the well-formed-text check. Only the
 * decoded side is walked: a check there sees what the encoding produced, and our transformations (trim, lower-case,
 * time zone canonicalisation) keep a NUL or a lone surrogate where it was.
 */
const uncheckedStrings = (ast: SchemaAST.AST, path: string): Array<string> => {
  switch (ast._tag) {
    case "String":
      // `.annotate` on a schema copies its last check with the new annotations: compare what the check runs.
      return ast.checks?.some((c) => c._tag === "Filter" && c.run === isWellFormedText.run) ? [] : [path]
    case "Objects":
      return [
        ...ast.propertySignatures.flatMap((p) => uncheckedStrings(p.type, `${path}.${String(p.name)}`)),
        ...ast.indexSignatures.flatMap((s) => uncheckedStrings(s.type, `${path}[*]`)),
      ]
    case "Arrays":
      return [...ast.elements, ...ast.rest].flatMap((t) => uncheckedStrings(t, `${path}[]`))
    case "Union":
      return ast.types.flatMap((t) => uncheckedStrings(t, path))
    case "Suspend":
      return uncheckedStrings(ast.thunk(), path)
    default:
      return []
  }
}

const requestSchemas = (route: Record<string, unknown>): Array<[string, Schema.Top]> => {
  const parts: Array<[string, unknown]> = [
    ["params", route.pathParams],
    ["query", route.query],
    ["body", route.body],
    ...Object.entries((route.headers ?? {}) as Record<string, unknown>).map(([h, s]): [string, unknown] => [
      `headers.${h}`,
      s,
    ]),
  ]
  return parts.flatMap(([part, s]) => (Schema.isSchema(s) ? [[part, s] as [string, Schema.Top]] : []))
}

const decodes = (schema: Schema.Top, value: unknown) =>
  Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>, { onExcessProperty: "error" })(value)
    ._tag === "Success"

describe("the contract's request schemas", () => {
  it("every string a client can send rejects NUL and unpaired surrogates (bodies, query, path, headers)", () => {
    const routes = routesOf(contract)
    expect(routes.length).toBeGreaterThan(30)
    const unchecked = routes.flatMap(([name, route]) =>
      requestSchemas(route).flatMap(([part, schema]) => uncheckedStrings(schema.ast, `${name} ${part}`)),
    )
    expect(unchecked).toEqual([])
  })

  it("the check holds through trimming and transformations: NUL and lone surrogates fail, pairs pass", () => {
    for (const bad of ["a\u0000b", "a\ud800", "\udc00x", "x\ud83d"]) {
      expect(decodes(CreateTask, { title: bad }), JSON.stringify(bad)).toBe(false)
      expect(decodes(CreateTask, { title: "t", tags: [bad] }), JSON.stringify(bad)).toBe(false)
      expect(decodes(ListTasksQuery, { q: bad }), JSON.stringify(bad)).toBe(false)
      expect(decodes(ListTasksQuery, { tag: bad }), JSON.stringify(bad)).toBe(false)
    }
    expect(decodes(CreateTask, { title: "party 🎉", description: "😀\u00e9" })).toBe(true)
  })
})

describe("instants", () => {
  const cases: Array<[string, boolean]> = [
    ["0001-01-01T00:00:00Z", true],
    ["9999-12-31T23:59:59.999Z", true],
    ["0000-01-01T00:00:00Z", false],
    ["0000-12-31T23:59:59Z", false],
    // Inside the years as written, outside once the offset is applied.
    ["0001-01-01T00:30:00+01:00", false],
    ["9999-12-31T23:30:00-01:00", false],
    ["2026-02-29T00:00:00Z", false],
    ["2028-02-29T00:00:00Z", true],
  ]
  for (const [input, valid] of cases) {
    it(`${input} is ${valid ? "accepted" : "rejected"}`, () => {
      expect(decodes(Instant, input)).toBe(valid)
    })
  }
})

describe("email addresses", () => {
  // The shapes that used to answer 500 are held against Better Auth's own check in packages/api/test/auth.
  it("accepts ordinary addresses; refuses empty labels, a leading hyphen, more than 254 characters", () => {
    for (const ok of ["ada@example.com", "a.b+tag@sub.example.co", "o'brien@example.ie", "x_y-z@a-b.io"]) {
      expect(isEmailAddress(ok), ok).toBe(true)
      expect(decodes(SignUp, { email: ok, password: "a long passphrase", name: "A" }), ok).toBe(true)
    }
    for (const bad of [".a@example.com", "a@-example.com", `${"a".repeat(250)}@example.com`]) {
      expect(isEmailAddress(bad), bad).toBe(false)
    }
  })
})

describe("time zones", () => {
  it("decode to their canonical name; offsets, abbreviations and unknown names are refused", () => {
    const decode = Schema.decodeUnknownSync(Settings)
    expect(decode({ timezone: "Europe/Berlin", agentsEnabled: true }).timezone).toBe("Europe/Berlin")
    expect(decode({ timezone: "US/Pacific", agentsEnabled: true }).timezone).toBe("America/Los_Angeles")
    expect(decode({ timezone: "Etc/UTC", agentsEnabled: true }).timezone).toBe("UTC")
    for (const bad of ["+01:00", "-05:00", "Mars/Olympus", "", "Europe/Berlin\u0000"]) {
      expect(decodes(Settings, { timezone: bad, agentsEnabled: true }), bad).toBe(false)
      expect(canonicalTimeZone(bad), bad).toBeUndefined()
    }
  })
})
