import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, References } from "effect"
import { LoggingLive } from "../src/Logging.ts"

/** The minimum level LoggingLive sets for this environment (or the failure of building it). */
const levelFor = (env: Record<string, string>) =>
  Effect.runSyncExit(
    Effect.service(References.MinimumLogLevel).pipe(
      Effect.provide(
        LoggingLive("test").pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
      ),
    ),
  )

describe("LoggingLive's LOG_LEVEL", () => {
  it("takes a level in any case and sets it as the minimum; info when unset", () => {
    expect(levelFor({ LOG_LEVEL: "debug" })).toEqual(Exit.succeed("Debug"))
    expect(levelFor({ LOG_LEVEL: "WARN" })).toEqual(Exit.succeed("Warn"))
    expect(levelFor({ LOG_LEVEL: "Error" })).toEqual(Exit.succeed("Error"))
    expect(levelFor({})).toEqual(Exit.succeed("Info"))
  })

  it("refuses a name that is no level", () => {
    expect(Exit.isFailure(levelFor({ LOG_LEVEL: "verbose" }))).toBe(true)
  })
})
