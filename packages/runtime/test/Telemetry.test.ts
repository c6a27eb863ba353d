import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit } from "effect"
import { TelemetryConfig } from "../src/Telemetry.ts"

/** The batch span processor's settings TracingLive would use in this environment (or the failure to read them). */
const batchFor = (env: Record<string, string>) =>
  Effect.runSyncExit(
    Effect.gen(function* () {
      return (yield* TelemetryConfig).batch
    }).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
  )

describe("TracingLive's batch span processor", () => {
  it("exports every 500 ms in batches of at most 512 spans unless OTEL_BSP_* says otherwise", () => {
    expect(batchFor({})).toEqual(
      Exit.succeed({ scheduledDelayMillis: 500, maxExportBatchSize: 512, maxQueueSize: 2048 }),
    )
    expect(
      batchFor({
        OTEL_BSP_SCHEDULE_DELAY: "2000",
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "2048",
        OTEL_BSP_MAX_QUEUE_SIZE: "8192",
      }),
    ).toEqual(Exit.succeed({ scheduledDelayMillis: 2000, maxExportBatchSize: 2048, maxQueueSize: 8192 }))
  })

  it("refuses a setting that is no whole number", () => {
    expect(Exit.isFailure(batchFor({ OTEL_BSP_SCHEDULE_DELAY: "soon" }))).toBe(true)
  })
})
