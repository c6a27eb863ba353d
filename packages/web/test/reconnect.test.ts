import { assert, describe, it } from "@effect/vitest"
import { Clock, type Duration, Effect, Fiber, Random } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { reconnectSchedule } from "../src/reconnect.ts"

/** Attempts of a connection that always drops, retried on the schedule with every random draw equal to `r`. */
const attemptsWith = (r: number, elapsed: ReadonlyArray<Duration.Input>) =>
  Effect.gen(function* () {
    const attempts: Array<number> = []
    const connect = Effect.gen(function* () {
      attempts.push(yield* Clock.currentTimeMillis)
      return yield* Effect.fail("stream dropped")
    })
    const fiber = yield* connect.pipe(
      Effect.retry(reconnectSchedule),
      Effect.provideService(Random.Random, { nextDoubleUnsafe: () => r, nextIntUnsafe: () => 0 }),
      Effect.forkChild,
    )
    for (const step of elapsed) yield* TestClock.adjust(step)
    yield* Fiber.interrupt(fiber)
    return attempts.slice(1).map((t, i) => t - attempts[i]!)
  })

describe("the live stream's reconnect schedule", () => {
  it.effect("waits 1 s, 2 s, 4 s … up to 30 s between attempts at the top of its jitter", () =>
    Effect.gen(function* () {
      const gaps = yield* attemptsWith(
        0.999_999,
        Array.from({ length: 12 }, () => "30 seconds"),
      )
      assert.deepStrictEqual(gaps.slice(0, 7), [1000, 2000, 4000, 8000, 16000, 30000, 30000])
    }),
  )

  it.effect("never less than half of that: [d/2, d]", () =>
    Effect.gen(function* () {
      const gaps = yield* attemptsWith(
        0,
        Array.from({ length: 12 }, () => "15 seconds"),
      )
      assert.deepStrictEqual(gaps.slice(0, 7), [500, 1000, 2000, 4000, 8000, 15000, 15000])
    }),
  )
})
