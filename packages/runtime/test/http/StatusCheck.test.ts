import { Problem } from "@todo/contracts"
import { initContract } from "@ts-rest/core"
import { Effect, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { route } from "../../src/http/ContractRouter.ts"
import { type HttpMeaning, meaning } from "../../src/http/Problem.ts"

// A route declares exactly the statuses it can answer (ContractRouter's StatusCheck), so the contract, and the
// OpenAPI document made from it, list the errors that can occur. The type checker (`npm run check`, part of
// `npm test`) enforces the @ts-expect-error lines: each would be an unused directive if the check let it through.

class Missing extends Schema.TaggedError<Missing>()("Missing", {}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "missing", "Not here.")
  }
}

const c = initContract()
const problem = Schema.toStandardSchemaV1(Problem)
const ok = Schema.toStandardSchemaV1(Schema.Struct({ ok: Schema.Boolean }))
const body = Schema.toStandardSchemaV1(Schema.Struct({ name: Schema.String }))
const contract = c.router({
  exact: { method: "GET", path: "/exact", responses: { 200: ok, 404: problem, 500: problem } },
  lacks404: { method: "GET", path: "/lacks-404", responses: { 200: ok, 500: problem } },
  extra409: {
    method: "GET",
    path: "/extra-409",
    responses: { 200: ok, 404: problem, 409: problem, 500: problem },
  },
  unreached200: { method: "GET", path: "/unreached", responses: { 200: ok, 404: problem, 500: problem } },
  lacks500: { method: "GET", path: "/lacks-500", responses: { 200: ok } },
  withBody: { method: "POST", path: "/body", body, responses: { 200: ok, 400: problem, 500: problem } },
  withBodyEdge: {
    method: "POST",
    path: "/body-edge",
    body,
    responses: { 200: ok, 400: problem, 413: problem, 415: problem, 500: problem },
  },
})

const maybeMissing = (found: boolean) =>
  found ? Effect.succeed({ status: 200 as const, body: { ok: true } }) : Effect.fail(new Missing())

describe("StatusCheck: a route's declared statuses are the ones it can answer", () => {
  it("accepts a route that declares its handler's statuses and the edge's", () => {
    const layers = [
      route(contract.exact, () => maybeMissing(true)),
      route(contract.withBodyEdge, () => Effect.succeed({ status: 200 as const, body: { ok: true } })),
    ]
    expect(layers.every(Layer.isLayer)).toBe(true)
  })

  it("refuses, at compile time, an undeclared error, a declared status out of reach, and a missing edge status", () => {
    const refused = [
      // @ts-expect-error the handler fails with a 404 the route does not declare
      route(contract.lacks404, () => maybeMissing(false)),
      // @ts-expect-error the route declares a 409 nothing answers
      route(contract.extra409, () => maybeMissing(false)),
      // @ts-expect-error the route declares a 200 the handler never returns
      route(contract.unreached200, () => Effect.fail(new Missing())),
      // @ts-expect-error every route can answer 500 (a defect)
      route(contract.lacks500, () => Effect.succeed({ status: 200 as const, body: { ok: true } })),
      // @ts-expect-error a JSON body may be refused with 413 (too large) and 415 (not JSON)
      route(contract.withBody, () => Effect.succeed({ status: 200 as const, body: { ok: true } })),
    ]
    // The layers are still built (types aside): what this test guards is the type check above.
    expect(refused).toHaveLength(5)
  })
})
