import { CloudEvent, decodeTaskEvent, type TaskEvent } from "@todo/contracts"
import { type Delivered, type DeliveryContext, EventConsumer } from "./EventConsumer.ts"
import { parentSpanOf } from "../TraceContext.ts"
import { CorrelationId, count, eventsDelivered } from "@todo/runtime"
import { Cause, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { DeliveryFailureTable } from "./DeliveryFailureRow.ts"
import { HandlerRegistry } from "./HandlerRegistry.ts"

/** The consumer name under which processed event ids are recorded. */
export const CONSUMER = "todo-agent"

const decodeEnvelope = Schema.decodeUnknownEffect(CloudEvent)

/**
 * Handles one delivered CloudEvent: decodes the envelope and the task event with the contract's codecs (a
 * malformed one is DROPped: retrying cannot fix it; the transport dead-letters it), then, in one transaction,
 * records the event id in `processed_events` and runs every handler registered for its type. An id already recorded
 * means a redelivery: acknowledged, nothing run. A failing handler rolls everything back and answers RETRY.
 * Every RETRY and DROP is counted in `delivery_failures` (outside the rolled-back transaction), so the dead letter
 * the transport parks carries the real error and the number of attempts, whichever transport it is.
 */
export const EventDeliveryLive = Layer.effect(
  EventConsumer,
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const registry = yield* HandlerRegistry

    const recordFailure = (eventId: string, error: string) =>
      DeliveryFailureTable.insert(
        sql,
        [{ consumer: CONSUMER, eventId, attempts: 1, lastError: error.slice(0, 2_000) }],
        {
          tail: sql`
            ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = delivery_failures.attempts + 1,
              last_error = excluded.last_error, last_failed_at = now()`,
        },
      ).pipe(Effect.catchCause((cause) => Effect.logWarning("could not record a delivery failure", cause)))

    const process = (event: TaskEvent, cloudEventId: string) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const fresh = yield* sql`
            INSERT INTO processed_events (consumer, event_id, event_type)
            VALUES (${CONSUMER}, ${event.eventId}, ${event.eventType})
            ON CONFLICT DO NOTHING RETURNING event_id`
          if (fresh.length === 0)
            return { status: "SUCCESS", reason: "duplicate: already processed" } as Delivered
          // Handlers run one after another: they share the transaction's connection (one connection per transaction).
          for (const handler of registry.handlersFor(event)) {
            yield* handler
              .handle(event, { cloudEventId })
              .pipe(
                Effect.withSpan(`handler ${handler.name}`, { attributes: { "event.type": event.eventType } }),
              )
          }
          return { status: "SUCCESS", reason: "processed" } as Delivered
        }),
      )

    const deliverDetailed = (raw: unknown, context: DeliveryContext): Effect.Effect<Delivered> =>
      Effect.gen(function* () {
        const envelope = yield* decodeEnvelope(raw).pipe(Effect.option)
        if (envelope._tag === "None") {
          const id = (raw as { id?: unknown } | null)?.id
          if (typeof id === "string" && id !== "") yield* recordFailure(id, "not a CloudEvent")
          return { status: "DROP", reason: "not a CloudEvent" } as Delivered
        }
        const decoded = yield* decodeTaskEvent(envelope.value.data).pipe(Effect.result)
        if (decoded._tag === "Failure") {
          const error = `malformed task event: ${decoded.failure.message}`
          yield* recordFailure(envelope.value.id, error)
          return { status: "DROP", reason: error } as Delivered
        }
        const event = decoded.success
        // The delivery request's own trace context (the subscriber sidecar's span) comes first; the envelope's
        // is the fallback.
        // Under an HTTP delivery the request's server span already continues that context: nest under it.
        const current = yield* Effect.option(Effect.currentSpan)
        const parent =
          current._tag === "Some"
            ? undefined
            : (parentSpanOf(context.traceparent) ?? parentSpanOf(envelope.value.traceparent))
        return yield* process(event, envelope.value.id).pipe(
          Effect.catchCause((cause) => {
            const reason = `handler failed: ${Cause.pretty(cause).split("\n")[0] ?? "unknown error"}`
            return Effect.logWarning(
              `handling ${event.eventType} ${event.eventId} failed; asking for a retry`,
              cause,
            ).pipe(
              Effect.andThen(recordFailure(envelope.value.id, reason)),
              Effect.as({ status: "RETRY", reason } as Delivered),
            )
          }),
          Effect.provideService(CorrelationId, event.correlationId),
          Effect.annotateLogs({
            correlationId: event.correlationId,
            eventType: event.eventType,
            eventId: event.eventId,
          }),
          Effect.withSpan(`deliver ${event.eventType}`, {
            kind: "consumer",
            attributes: {
              "event.id": event.eventId,
              "correlation.id": event.correlationId,
              "messaging.destination": context.topic,
            },
            ...(parent ? { parent } : {}),
          }),
        )
      })

    return EventConsumer.of({
      deliver: (raw, context) =>
        deliverDetailed(raw, context).pipe(
          Effect.tap((d) => Effect.logDebug(`delivery → ${d.status} (${d.reason})`)),
          Effect.tap((d) =>
            count(eventsDelivered, {
              type:
                typeof (raw as { type?: unknown })?.type === "string"
                  ? (raw as { type: string }).type
                  : "unknown",
              outcome: d.reason.startsWith("duplicate") ? "duplicate" : d.status,
            }),
          ),
        ),
    })
  }),
)
