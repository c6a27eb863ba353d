import { Context, Duration, Effect, Random, Schedule } from "effect"

/** Attempts made through the Dapr sidecar in one direction: each bounded by `timeout`, `retries` more `interval` apart. */
export interface SidecarAttempts {
  readonly timeout: Duration.Duration
  readonly retries: number
  readonly interval: Duration.Duration
}

/**
 * How the event path retries, as one value. Every retry the system makes derives from it:
 * - `delivery`: delivering an event to its consumer. Dapr's inbound policy (agent sidecar → agent; then the
 *   dead-letter topic), and the in-process bus's retries in the one-process mode, which must behave the same.
 * - `publish`: Dapr's outbound policy (the api sidecar publishing to Kafka, the agent sidecar republishing to the
 *   dead-letter topic). When it gives up, the sidecar answers 500 and the outbox relay's backoff takes over.
 * - `backoff`: the outbox relay's backoff, for the relay as a whole while publishing fails, for one event that
 *   fails while others go through, and for re-establishing its LISTEN connection: exponential from `base`,
 *   doubling, capped at `max`, each delay drawn at random from [d/2, d] so replicas that failed together do not
 *   retry together.
 * - `breaker`: daprd's circuit breaker, of which there is one per component per sidecar, shared by both directions
 *   and every topic. It counts consecutive failed attempts, and a poison event fails every one of its attempts; the
 *   agent's sidecar consumes `concurrentPoisonEvents` partitions at once (3, as deployed), each possibly stuck on a
 *   poison event at the same moment. So it trips only after more failures in a row than that many poison events
 *   make together: a burst of bad events is dead-lettered, only a systemic failure (database or broker down) opens
 *   it. While open, nothing is dead-lettered; events wait in Kafka until it half-opens after `timeout`.
 *
 * The Helm chart's Dapr Resiliency is generated from this value (`npm run generate:resiliency`, see
 * `daprResiliencyPolicies`); a test fails when the generated file is stale.
 */
export interface RetryPolicy {
  readonly delivery: SidecarAttempts
  readonly publish: SidecarAttempts
  readonly backoff: { readonly base: Duration.Duration; readonly max: Duration.Duration }
  readonly breaker: { readonly concurrentPoisonEvents: number; readonly timeout: Duration.Duration }
}

export const retryPolicy: RetryPolicy = {
  // 6 attempts over about 15 s plus handler time, then the dead letter.
  delivery: { timeout: Duration.seconds(30), retries: 5, interval: Duration.seconds(3) },
  publish: { timeout: Duration.seconds(15), retries: 3, interval: Duration.seconds(1) },
  // ≤ 0.5 s, ≤ 1 s, ≤ 2 s … ≤ 30 s.
  backoff: { base: Duration.millis(500), max: Duration.seconds(30) },
  breaker: { concurrentPoisonEvents: 3, timeout: Duration.seconds(30) },
}

/**
 * The policy in force: `retryPolicy` unless a test provides a faster one (a layer or `Effect.provideService`).
 * Production code never overrides it, so what runs is what the chart renders.
 */
export const CurrentRetryPolicy = Context.Reference<RetryPolicy>("@todo/messaging/RetryPolicy", {
  defaultValue: () => retryPolicy,
})

/** Attempts a delivery gets in all (the first and its retries). */
export const deliveryAttempts = (policy: RetryPolicy) => policy.delivery.retries + 1

/** The breaker opens after more than this many failed attempts in a row. */
export const breakerThreshold = (policy: RetryPolicy) =>
  policy.breaker.concurrentPoisonEvents * deliveryAttempts(policy)

/** The delivery retries as a Schedule: `retries` recurrences, `interval` apart (Dapr's `constant` policy). */
export const deliverySchedule = (policy: RetryPolicy) =>
  Schedule.spaced(policy.delivery.interval).pipe(Schedule.upTo({ times: policy.delivery.retries }))

/** Scales a delay d to a random point of [d/2, d] ("equal jitter"), with Effect's Random (seedable in tests). */
const equalJitter = (delay: Duration.Duration) =>
  Effect.map(Random.next, (r) => {
    const ms = Duration.toMillis(delay)
    return Duration.millis(Math.round(ms / 2 + (ms / 2) * r))
  })

/** The relay's backoff as a Schedule: exponential from `base` (doubling), capped at `max`, jittered into [d/2, d]. */
export const backoffSchedule = (policy: RetryPolicy) =>
  Schedule.min([Schedule.exponential(policy.backoff.base, 2), Schedule.spaced(policy.backoff.max)]).pipe(
    Schedule.modifyDelay(({ duration }) => equalJitter(duration)),
  )

/**
 * The backoff schedule's delay after `failures` consecutive failures (1 = the first retry's): for a failure
 * remembered in the database (an outbox row's `attempts`) rather than in a running retry. Past 64 doublings every
 * delay is the cap, so no more steps are taken.
 */
export const backoffDelay = (policy: RetryPolicy, failures: number) =>
  Effect.gen(function* () {
    const step = yield* Schedule.toStep(backoffSchedule(policy))
    let delay = Duration.zero
    for (let n = 0; n < Math.min(Math.max(failures, 1), 64); n++) {
      ;[, delay] = yield* step(0, undefined).pipe(Effect.orDie)
    }
    return delay
  })

/** A duration as Dapr (Go's time.ParseDuration) reads it. */
const goDuration = (d: Duration.Duration) => {
  const ms = Duration.toMillis(d)
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

/**
 * The `spec.policies` of the Dapr Resiliency for this policy; the chart's targets name them (`publish`/`delivery`
 * timeouts, `publishRetry`/`deliveryRetry`, `pubsubBreaker` for both directions).
 */
export const daprResiliencyPolicies = (policy: RetryPolicy) => ({
  timeouts: { publish: goDuration(policy.publish.timeout), delivery: goDuration(policy.delivery.timeout) },
  retries: {
    publishRetry: {
      policy: "constant",
      duration: goDuration(policy.publish.interval),
      maxRetries: policy.publish.retries,
    },
    deliveryRetry: {
      policy: "constant",
      duration: goDuration(policy.delivery.interval),
      maxRetries: policy.delivery.retries,
    },
  },
  circuitBreakers: {
    pubsubBreaker: {
      maxRequests: 1,
      interval: "0s",
      timeout: goDuration(policy.breaker.timeout),
      trip: `consecutiveFailures > ${breakerThreshold(policy)}`,
    },
  },
})
