import { type CloudEvent, TASKS_TOPIC } from "@todo/contracts"
import { Effect, Layer } from "effect"
import type { OutboxRecord } from "../outbox/OutboxRow.ts"
import { currentTraceContext } from "../TraceContext.ts"
import { EventConsumer } from "../delivery/EventConsumer.ts"
import { EventPublisher, PublishError } from "./EventPublisher.ts"
import { DeadLetters } from "../deadletters/DeadLetters.ts"
import { CurrentRetryPolicy, deliverySchedule } from "../RetryPolicy.ts"

/** The envelope a Dapr sidecar would build for this record, so consumers see one shape everywhere. */
export const toCloudEvent = (
  record: OutboxRecord,
  source: string,
  traceparent: string | null,
): CloudEvent => ({
  id: record.eventId,
  source,
  type: record.eventType,
  specversion: "1.0",
  datacontenttype: "application/json",
  data: record.payload,
  topic: TASKS_TOPIC,
  pubsubname: "in-process",
  time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  traceparent: traceparent ?? "",
  tracestate: "",
})

/**
 * The one-machine stand-in for Dapr + Kafka, with the same guarantees:
 * - at-least-once: `publish` delivers the event to the consumer before it returns, so the relay marks a row
 *   published only once the consumer has taken it (or it is parked); a crash before that redelivers it, and the
 *   consumer's `processed_events` absorbs the duplicate;
 * - retries: a RETRY is retried on the retry policy's delivery schedule, the one the chart's Dapr Resiliency renders
 *   for inbound deliveries (5 retries, 3 s apart);
 * - dead letters: a DROP, or retries running out, parks the event in the same dead-letter table the agent's DLQ
 *   subscription writes, as the sidecar would publish it to the dead-letter topic. If parking fails the publish
 *   fails, and the relay tries the event again later: an event is never lost.
 * Per-user order holds as in Kafka: the relay publishes one user's events one after another.
 */
export const InProcessBusLive = Layer.effect(
  EventPublisher,
  Effect.gen(function* () {
    const consumer = yield* EventConsumer
    const deadLetters = yield* DeadLetters
    const retries = deliverySchedule(yield* CurrentRetryPolicy)

    const publish = Effect.fn("InProcessBus.publish")(function* (record: OutboxRecord) {
      const trace = yield* currentTraceContext
      const envelope = toCloudEvent(record, "todo-api", trace.traceparent)
      const context = { topic: TASKS_TOPIC, traceparent: trace.traceparent ?? undefined }
      let attempts = 0
      const delivered = yield* Effect.suspend(() => {
        attempts++
        return consumer.deliver(envelope, context)
      }).pipe(Effect.repeat({ schedule: retries, while: (d) => d.status === "RETRY" }))
      if (delivered.status === "SUCCESS") return
      yield* deadLetters
        .park({
          envelope,
          topic: TASKS_TOPIC,
          error: delivered.reason,
          attempts: delivered.status === "DROP" ? 1 : attempts,
        })
        .pipe(
          Effect.mapError(
            (e) => new PublishError({ message: `dead-lettering failed: ${e.message}`, configuration: false }),
          ),
        )
    })
    return EventPublisher.of({ publish, ready: Effect.void })
  }),
)
