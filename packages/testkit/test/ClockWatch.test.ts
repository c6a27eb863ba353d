import { assert, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { ClockWatch } from "../src/ClockWatch.ts"

/** A loop as the services run them: sleep on the clock, then real asynchronous work (here 30 ms of a real timer). */
const loop = (done: Array<number>) =>
  Effect.gen(function* () {
    for (;;) {
      yield* Effect.sleep("1 minute")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 30)))
      done.push(yield* Effect.clockWith((clock) => clock.currentTimeMillis))
    }
  })

it.effect("adjust returns once the loop it woke has done its real work and sleeps again", () =>
  Effect.gen(function* () {
    const watch = yield* ClockWatch
    const done: Array<number> = []
    const fiber = yield* Effect.forkChild(loop(done))
    yield* watch.adjust(1, "1 minute")
    assert.deepStrictEqual(done, [60_000])
    assert.strictEqual(yield* watch.asleep, 1)
    yield* watch.adjust(1, "59 seconds")
    assert.deepStrictEqual(done, [60_000])
    yield* watch.adjust(1, "1 second")
    assert.deepStrictEqual(done, [60_000, 120_000])
    yield* Fiber.interrupt(fiber)
    assert.strictEqual(yield* watch.asleep, 0)
  }).pipe(Effect.provide(ClockWatch.layer)),
)

it.effect("the test clock alone returns while the woken loop still waits for its work", () =>
  Effect.gen(function* () {
    const watch = yield* ClockWatch
    const done: Array<number> = []
    yield* Effect.forkChild(loop(done))
    yield* watch.settle(1)
    yield* TestClock.adjust("1 minute")
    // What a fixed real-time sleep used to paper over: the work is not done when adjust returns.
    assert.deepStrictEqual(done, [])
    assert.strictEqual(yield* watch.asleep, 0)
  }).pipe(Effect.provide(ClockWatch.layer)),
)

it.effect(
  "settle fails, naming the counts, when more fibers sleep than the caller expects or too few do",
  () =>
    Effect.gen(function* () {
      const watch = yield* ClockWatch
      yield* Effect.forkChild(loop([]))
      yield* Effect.forkChild(loop([]))
      const tooMany = yield* Effect.exit(watch.settle(1))
      assert.isTrue(Exit.isFailure(tooMany))
      assert.include(String(Exit.isFailure(tooMany) && tooMany.cause), "saw 2")
      const tooFew = yield* Effect.exit(watch.settle(3, "50 millis"))
      assert.include(String(Exit.isFailure(tooFew) && tooFew.cause), "only 2 are")
    }).pipe(Effect.provide(ClockWatch.layer)),
)
