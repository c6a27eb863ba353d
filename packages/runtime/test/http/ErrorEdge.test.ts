import { Problem } from "@todo/contracts"
import { initContract } from "@ts-rest/core"
import { Effect, Layer, Logger, References, Schema } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { describe, expect, it } from "vitest"
import { route } from "../../src/http/ContractRouter.ts"
import { type HttpMeaning, meaning } from "../../src/http/Problem.ts"

class FeatureOff extends Schema.TaggedError<FeatureOff>()("FeatureOff", {}) {
  get httpMeaning(): HttpMeaning<503> {
    return meaning(503, "feature-off", "The feature is off.", { quiet: true })
  }
}
class Broken extends Schema.TaggedError<Broken>()("Broken", {}) {
  get httpMeaning(): HttpMeaning<502> {
    return meaning(502, "broken", "Upstream broke.")
  }
}
class Gone extends Schema.TaggedError<Gone>()("Gone", { id: Schema.String }) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "gone", `No ${this.id}.`, { title: "Not here" })
  }
}

const c = initContract()
const problem = Schema.toStandardSchemaV1(Problem)
// Each route declares what it answers: its error's status and the 500 of a defect (ContractRouter's StatusCheck).
const contract = c.router({
  off: { method: "GET", path: "/off", responses: { 500: problem, 503: problem } },
  broken: { method: "GET", path: "/broken", responses: { 500: problem, 502: problem } },
  gone: { method: "GET", path: "/gone", responses: { 404: problem, 500: problem } },
})

describe("errors reach HTTP through the meaning they carry", () => {
  it("answers each error's own status, type and title; only an unexpected 5xx is logged as an error", async () => {
    const logged: Array<{ level: string; message: string }> = []
    const capture = Logger.make(({ logLevel, message }) => {
      logged.push({ level: logLevel, message: String(Array.isArray(message) ? message[0] : message) })
    })
    const routes = Layer.mergeAll(
      route(contract.off, () => Effect.fail(new FeatureOff())),
      route(contract.broken, () => Effect.fail(new Broken())),
      route(contract.gone, () => Effect.fail(new Gone({ id: "x1" }))),
    ).pipe(Layer.provide(HttpServer.layerServices))
    const { handler, dispose } = HttpRouter.toWebHandler(routes, {
      disableLogger: true,
      middleware: (app) =>
        app.pipe(
          Effect.provide(Logger.layer([capture])),
          Effect.provideService(References.MinimumLogLevel, "Debug"),
        ),
    })
    try {
      const answers = []
      for (const path of ["/off", "/broken", "/gone"]) {
        const res = await handler(new Request(`http://test${path}`))
        answers.push({ status: res.status, type: res.headers.get("content-type"), body: await res.json() })
      }
      expect(answers).toEqual([
        expect.objectContaining({ status: 503, type: "application/problem+json" }),
        expect.objectContaining({ status: 502 }),
        expect.objectContaining({ status: 404 }),
      ])
      expect(answers[2]!.body).toEqual({
        type: "https://todo.app/problems/gone",
        title: "Not here",
        status: 404,
        detail: "No x1.",
      })
      const failures = logged.filter((l) => l.message.includes("failed"))
      expect(failures).toEqual([
        { level: "Debug", message: "GET /off failed" },
        { level: "Error", message: "GET /broken failed" },
      ])
    } finally {
      await dispose()
    }
  })
})
