import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Redacted } from "effect"
import { ModelConfig } from "../src/ModelConfig.ts"

const apiKey = (env: Record<string, string>) =>
  Effect.runSync(ModelConfig.apiKey.parse(ConfigProvider.fromEnv({ env })))

describe("ModelConfig.apiKey", () => {
  it("is the key when one is set", () => {
    expect(Option.map(apiKey({ OPENAI_API_KEY: "sk-123" }), Redacted.value)).toEqual(Option.some("sk-123"))
  })

  it("is unset when the variable is missing, empty or blank (an empty Secret key must not count as set)", () => {
    for (const env of [{}, { OPENAI_API_KEY: "" }, { OPENAI_API_KEY: "  \n" }])
      expect(apiKey(env)).toEqual(Option.none())
  })
})
