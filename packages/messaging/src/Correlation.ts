import { randomUUID } from "node:crypto"
import { CorrelationId } from "@todo/runtime"
import { Effect } from "effect"

/**
 * Runs work that no request started (one run of a sweep, one tick of a scheduler) under a correlation id of its
 * own, fresh each time the effect runs: the outbox stamps it on every event the run writes, the logs carry it, and
 * `f` receives it for whatever else the run records (suggestions). A request's id comes from the HTTP layer, a
 * delivery's from the event it delivers.
 */
export const withNewCorrelationId = <A, E, R>(
  f: (correlationId: string) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const correlationId = randomUUID()
    return f(correlationId).pipe(
      Effect.provideService(CorrelationId, correlationId),
      Effect.annotateLogs({ correlationId }),
    )
  })
