import { Clock, Context, type Duration, Effect, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"

/**
 * Sees how many fibers sleep on the test clock, so a test can wait until a service's background loops (sweeps,
 * schedulers) have finished the real work a clock move gave them (database round trips) and gone back to sleep,
 * instead of sleeping a while in real time and hoping that was enough.
 *
 * Provide it inside an `it.effect` (it wraps that test's TestClock) before the service under test is built, so the
 * service's fibers sleep through it.
 */
export class ClockWatch extends Context.Service<
  ClockWatch,
  {
    /** How many fibers sleep on the clock right now. */
    readonly asleep: Effect.Effect<number>
    /**
     * Completes once exactly `loops` fibers sleep on the clock; fails when more do (the caller's count is stale) or
     * when they are not all asleep within `within` of real time.
     */
    readonly settle: (loops: number, within?: Duration.Input) => Effect.Effect<void, Error>
    /** Waits for the loops to sleep, moves the clock, and waits until every loop it woke sleeps again. */
    readonly adjust: (loops: number, by: Duration.Input) => Effect.Effect<void, Error>
  }
>()("@todo/testkit/ClockWatch") {
  static readonly layer = Layer.effectContext(
    Effect.gen(function* () {
      const inner = yield* TestClock.testClockWith(Effect.succeed)
      let asleep = 0
      const watched: Clock.Clock = {
        ...inner,
        sleep: (duration) =>
          Effect.suspend(() => {
            asleep++
            return inner.sleep(duration)
          }).pipe(Effect.ensuring(Effect.sync(() => asleep--))),
      }
      const settle = (loops: number, within: Duration.Input = "10 seconds") =>
        // Polled in real time: the fibers wait for the database, not for the clock.
        inner.withLive(
          Effect.gen(function* () {
            while (asleep < loops) yield* Effect.sleep("2 millis")
            if (asleep > loops)
              return yield* Effect.fail(
                new Error(`expected ${loops} fibers asleep on the clock, saw ${asleep}`),
              )
          }).pipe(
            Effect.timeoutOrElse({
              duration: within,
              orElse: () =>
                Effect.fail(new Error(`expected ${loops} fibers asleep on the clock, only ${asleep} are`)),
            }),
          ),
        )
      const service = ClockWatch.of({
        asleep: Effect.sync(() => asleep),
        settle,
        adjust: (loops, by) =>
          settle(loops).pipe(Effect.andThen(TestClock.adjust(by)), Effect.andThen(settle(loops))),
      })
      return Context.make(Clock.Clock, watched).pipe(Context.add(ClockWatch, service))
    }),
  )
}
