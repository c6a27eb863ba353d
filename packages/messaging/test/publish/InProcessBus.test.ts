import { randomUUID } from "node:crypto"
import type { DeadLetter, DeliveryStatus } from "@todo/contracts"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { DeadLetters, type ParkedEvent } from "../../src/deadletters/DeadLetters.ts"
import { EventConsumer } from "../../src/delivery/EventConsumer.ts"
import { EventPublisher } from "../../src/publish/EventPublisher.ts"
import { InProcessBusLive } from "../../src/publish/InProcessBus.ts"
import { outboxRecord } from "../outbox/support.ts"

/** A consumer that answers each delivery from `answers` (the last one repeats) and notes when it was called. */
const consumer = (answers: ReadonlyArray<DeliveryStatus>, calls: Array<number>) =>
  Layer.succeed(
    EventConsumer,
    EventConsumer.of({
      deliver: () =>
        Effect.gen(function* () {
          calls.push(yield* Clock.currentTimeMillis)
          const status = answers[Math.min(calls.length, answers.length) - 1] ?? "SUCCESS"
          return { status, reason: status === "SUCCESS" ? "processed" : `handler said ${status}` }
        }),
    }),
  )

/** A dead-letter table that only parks, into `parked`. */
const deadLetterTable = (parked: Array<ParkedEvent>) =>
  Layer.succeed(
    DeadLetters,
    DeadLetters.of({
      park: (event) =>
        Effect.sync((): DeadLetter => {
          parked.push(event)
          const at = new Date(0).toISOString()
          return {
            ...{
              id: randomUUID(),
              eventId: "parked",
              eventType: null,
              topic: event.topic,
              event: event.envelope,
            },
            ...{
              error: event.error,
              attempts: event.attempts,
              firstSeenAt: at,
              lastSeenAt: at,
              replayedAt: null,
            },
          }
        }),
      list: () => Effect.die("not used"),
      find: () => Effect.die("not used"),
      replay: () => Effect.die("not used"),
      remove: () => Effect.die("not used"),
    }),
  )

/** Publishes one event through the bus in a fiber of its own, so the test can move the clock meanwhile. */
const publishing = (answers: ReadonlyArray<DeliveryStatus>) =>
  Effect.gen(function* () {
    const calls: Array<number> = []
    const parked: Array<ParkedEvent> = []
    const fiber = yield* EventPublisher.use((bus) => bus.publish(outboxRecord())).pipe(
      Effect.provide(
        InProcessBusLive.pipe(Layer.provide([consumer(answers, calls), deadLetterTable(parked)])),
      ),
      Effect.forkChild,
    )
    return { calls, parked, fiber }
  })

describe("the in-process bus follows the retry policy's delivery schedule", () => {
  it.effect(
    "a RETRY is retried 3 s apart; the event takes effect on the third attempt, nothing is parked",
    () =>
      Effect.gen(function* () {
        const { calls, parked, fiber } = yield* publishing(["RETRY", "RETRY", "SUCCESS"])
        yield* TestClock.adjust("2999 millis")
        assert.deepStrictEqual(calls, [0])
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(calls, [0, 3000, 6000])
        assert.deepStrictEqual(parked, [])
      }),
  )

  it.effect("a poison event gets 6 attempts over 15 s, then it is parked with them", () =>
    Effect.gen(function* () {
      const { calls, parked, fiber } = yield* publishing(["RETRY"])
      yield* TestClock.adjust("14999 millis")
      assert.strictEqual(calls.length, 5)
      assert.deepStrictEqual(parked, [])
      yield* TestClock.adjust("1 milli")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(calls, [0, 3000, 6000, 9000, 12000, 15000])
      assert.strictEqual(parked.length, 1)
      assert.strictEqual(parked[0]!.attempts, 6)
      assert.strictEqual(parked[0]!.error, "handler said RETRY")
    }),
  )

  it.effect("a DROP is parked at once, after one attempt", () =>
    Effect.gen(function* () {
      const { calls, parked, fiber } = yield* publishing(["DROP"])
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(calls, [0])
      assert.strictEqual(parked[0]!.attempts, 1)
    }),
  )
})
