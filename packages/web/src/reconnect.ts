import { Duration, Effect, Random, Schedule } from "effect"

const MAX_BACKOFF = Duration.seconds(30)

/**
 * How the live stream reconnects after a drop: exponential from 1 s, doubling, capped at 30 s, each delay drawn
 * from [d/2, d] so that tabs which lost the server together do not come back together.
 */
export const reconnectSchedule = Schedule.min([
  Schedule.exponential("1 second", 2),
  Schedule.spaced(MAX_BACKOFF),
]).pipe(
  Schedule.modifyDelay(({ duration }) =>
    Effect.map(Random.next, (r) => Duration.millis(Math.round(Duration.toMillis(duration) * (0.5 + r / 2)))),
  ),
)

/** A fresh run of the schedule: each call answers the delay (ms) before the next attempt. */
export const reconnectDelays = (): (() => number) => {
  const step = Effect.runSync(Schedule.toStep(reconnectSchedule))
  return () => Duration.toMillis(Effect.runSync(step(Date.now(), undefined))[1])
}
