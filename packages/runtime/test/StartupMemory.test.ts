import { getHeapSpaceStatistics } from "node:v8"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { releaseStartupMemory } from "../src/StartupMemory.ts"

const committedMiB = (space: string) =>
  getHeapSpaceStatistics().find((s) => s.space_name === space)!.physical_space_size / 1024 / 1024

/** Allocates short-lived objects for a while, as loading modules does: the young generation grows. */
const churn = () => {
  let keep: Array<ReadonlyArray<number>> = []
  for (let i = 0; i < 200_000; i++) {
    keep.push([i, i + 1, i + 2, i + 3])
    if (keep.length > 20_000) keep = []
  }
  return keep.length
}

describe("releaseStartupMemory", () => {
  it.effect(
    "uncommits the young generation that allocation grew, and exposes no gc to the service's code",
    () =>
      Effect.gen(function* () {
        churn()
        const before = committedMiB("new_space")
        expect(before).toBeGreaterThan(1)
        yield* releaseStartupMemory
        expect(committedMiB("new_space")).toBeLessThan(before / 2)
        expect("gc" in globalThis).toBe(false)
      }),
  )
})
