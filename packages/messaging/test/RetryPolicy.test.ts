import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Random } from "effect"
import * as TestClock from "effect/testing/TestClock"
import fc from "fast-check"
import { parse } from "yaml"
import { RESILIENCY_POLICIES_FILE, renderResiliencyPolicies } from "../../../scripts/generate-resiliency.ts"
import {
  backoffDelay,
  backoffSchedule,
  breakerThreshold,
  daprResiliencyPolicies,
  deliveryAttempts,
  deliverySchedule,
  type RetryPolicy,
  retryPolicy,
} from "../src/RetryPolicy.ts"

/** A Random that always draws `r`: the jitter's bounds made visible. */
const drawing = (r: number) =>
  Effect.provideService(Random.Random, { nextDoubleUnsafe: () => r, nextIntUnsafe: () => 0 })

const ms = (d: Duration.Duration) => Duration.toMillis(d)

describe("the backoff schedule", () => {
  it.effect("doubles from the base up to the cap, each delay drawn from [d/2, d]", () =>
    Effect.gen(function* () {
      const delays = (r: number) =>
        Effect.forEach([1, 2, 3, 4, 5, 6, 7, 8, 20], (n) => backoffDelay(retryPolicy, n).pipe(drawing(r)))
      assert.deepStrictEqual(
        (yield* delays(0)).map(ms),
        [250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000],
      )
      assert.deepStrictEqual(
        (yield* delays(0.999_999)).map(ms),
        [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
      )
    }),
  )

  it.effect("stays within [d/2, d] under the cap for any seed", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.string(), fc.integer({ min: 1, max: 80 }), async (seed, n) => {
          const delay = ms(await Effect.runPromise(backoffDelay(retryPolicy, n).pipe(Random.withSeed(seed))))
          const ceiling = Math.min(30_000, 500 * 2 ** (n - 1))
          return delay >= ceiling / 2 && delay <= ceiling
        }),
        { numRuns: 200 },
      ),
    ),
  )

  it.effect("jitters: replicas that failed together do not retry together", () =>
    Effect.gen(function* () {
      const seeds = ["replica-a", "replica-b", "replica-c", "replica-d"]
      const delays = yield* Effect.forEach(seeds, (seed) =>
        backoffDelay(retryPolicy, 6).pipe(Random.withSeed(seed), Effect.map(ms)),
      )
      assert.isAbove(new Set(delays).size, 1)
    }),
  )

  it.effect("drives a retry on the test clock: each attempt waits out its delay", () =>
    Effect.gen(function* () {
      const attempts: Array<number> = []
      const failing = Effect.gen(function* () {
        attempts.push(yield* Clock.currentTimeMillis)
        return yield* Effect.fail("sidecar down")
      })
      const fiber = yield* failing.pipe(
        Effect.retry(backoffSchedule(retryPolicy)),
        drawing(0.999_999),
        Effect.forkChild,
      )
      yield* TestClock.adjust("499 millis")
      assert.deepStrictEqual(attempts, [0])
      yield* TestClock.adjust("1 milli")
      assert.deepStrictEqual(attempts, [0, 500])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(attempts, [0, 500, 1500])
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(attempts, [0, 500, 1500, 3500])
      yield* Fiber.interrupt(fiber)
    }),
  )
})

describe("the delivery schedule", () => {
  it.effect("retries `retries` times, `interval` apart, then gives up (Dapr's constant policy)", () =>
    Effect.gen(function* () {
      const attempts: Array<number> = []
      const deliver = Effect.gen(function* () {
        attempts.push(yield* Clock.currentTimeMillis)
        return "RETRY" as const
      })
      const fiber = yield* deliver.pipe(
        Effect.repeat({ schedule: deliverySchedule(retryPolicy), while: (s) => s === "RETRY" }),
        Effect.forkChild,
      )
      yield* TestClock.adjust("2999 millis")
      assert.deepStrictEqual(attempts, [0])
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(attempts, [0, 3000, 6000, 9000, 12000, 15000])
      assert.strictEqual(attempts.length, deliveryAttempts(retryPolicy))
      assert.strictEqual(yield* Fiber.join(fiber), "RETRY")
    }),
  )
})

/**
 * daprd's breaker (sony/gobreaker, one per component per sidecar): `consecutiveFailures` counts failed attempts in
 * a row and resets on any success, and the breaker opens when the trip condition holds. Poison events on several
 * partitions fail their attempts at the same pace (the constant interval), interleaved; each one, once its
 * attempts run out, is republished to the dead-letter topic (a success on the same breaker).
 */
const breakerOpens = (threshold: number, attemptsPerEvent: number, poisonEvents: number) => {
  let consecutive = 0
  for (let attempt = 0; attempt < attemptsPerEvent; attempt++) {
    for (let event = 0; event < poisonEvents; event++) {
      consecutive++
      if (consecutive > threshold) return true
    }
  }
  return false
}

/** The breaker as the chart renders it: the generated policies the template reads. */
const rendered = parse(readFileSync(RESILIENCY_POLICIES_FILE, "utf8")) as ReturnType<
  typeof daprResiliencyPolicies
>
const renderedThreshold = Number(
  rendered.circuitBreakers.pubsubBreaker.trip.match(/^consecutiveFailures > (\d+)$/)?.[1],
)
const renderedAttempts = rendered.retries.deliveryRetry.maxRetries + 1

describe("the circuit breaker", () => {
  it("three poison events on three partitions do not open it", () => {
    assert.isFalse(breakerOpens(renderedThreshold, renderedAttempts, 3))
  })

  it("a systemic failure still opens it: a fourth partition failing along", () => {
    assert.isTrue(breakerOpens(renderedThreshold, renderedAttempts, 4))
  })

  it("the threshold follows the policy: more delivery retries raise it", () => {
    const policy: RetryPolicy = { ...retryPolicy, delivery: { ...retryPolicy.delivery, retries: 9 } }
    assert.strictEqual(breakerThreshold(policy), 3 * 10)
    assert.isFalse(breakerOpens(breakerThreshold(policy), deliveryAttempts(policy), 3))
  })
})

describe("the chart's Dapr Resiliency", () => {
  it("is generated from the policy in code (run `npm run generate:resiliency` when this fails)", () => {
    assert.strictEqual(readFileSync(RESILIENCY_POLICIES_FILE, "utf8"), renderResiliencyPolicies())
    assert.deepStrictEqual(rendered, daprResiliencyPolicies(retryPolicy))
  })

  it("renders the policy's numbers in Dapr's terms", () => {
    assert.deepStrictEqual(rendered.retries.deliveryRetry, {
      policy: "constant",
      duration: "3s",
      maxRetries: 5,
    })
    assert.deepStrictEqual(rendered.retries.publishRetry, {
      policy: "constant",
      duration: "1s",
      maxRetries: 3,
    })
    assert.deepStrictEqual(rendered.timeouts, { publish: "15s", delivery: "30s" })
    assert.strictEqual(rendered.circuitBreakers.pubsubBreaker.trip, "consecutiveFailures > 18")
  })
})
