import { timingSafeEqual } from "node:crypto"
import { type DaprSubscription, type DeliveryStatus, TASKS_DLQ_TOPIC, TASKS_TOPIC } from "@todo/contracts"
import { DeadLetters } from "../deadletters/DeadLetters.ts"
import { EventConsumer } from "./EventConsumer.ts"
import { problemResponse, withRequestContext } from "@todo/runtime"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { SqlClient } from "effect/sql/SqlClient"
import { CONSUMER } from "./EventDelivery.ts"

export const PUBSUB_NAME = Config.String("PUBSUB_NAME").pipe(Config.withDefault("pubsub-kafka"))
export const EVENTS_ROUTE = "/events/tasks-lifecycle"
export const DLQ_ROUTE = "/events/tasks-lifecycle-dlq"

/** The subscription's routes as patterns, for span names, request logs and metrics labels. */
export const SUBSCRIPTION_PATTERNS = [
  { method: "GET", path: "/dapr/subscribe" },
  { method: "GET", path: "/dapr/config" },
  { method: "POST", path: EVENTS_ROUTE },
  { method: "POST", path: DLQ_ROUTE },
]

/** The programmatic subscription daprd reads once at start-up (`GET /dapr/subscribe`). */
export const subscriptions = (pubsubname: string): ReadonlyArray<DaprSubscription> => [
  { pubsubname, topic: TASKS_TOPIC, routes: { default: EVENTS_ROUTE }, deadLetterTopic: TASKS_DLQ_TOPIC },
  // The dead-letter topic has no dead-letter topic of its own: a failure there is retried, never dropped.
  { pubsubname, topic: TASKS_DLQ_TOPIC, routes: { default: DLQ_ROUTE } },
]

const statusBody = (status: DeliveryStatus) => HttpServerResponse.jsonUnsafe({ status })

const sameToken = (given: string | undefined, expected: string) => {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * When APP_API_TOKEN is set, every call from the sidecar carries it as `dapr-api-token`; a mismatch is
 * 401, which daprd treats as retriable, never 404 (that would drop the event).
 */
const withAppToken = (
  token: Option.Option<Redacted.Redacted<string>>,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
) =>
  Effect.gen(function* () {
    if (Option.isSome(token)) {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!sameToken(request.headers["dapr-api-token"], Redacted.value(token.value))) {
        return problemResponse({ status: 401, detail: "Missing or wrong dapr-api-token." })
      }
    }
    return yield* handler
  })

/** The request body as JSON whatever its content type: daprd sends `application/cloudevents+json` */
const bodyJson = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const text = yield* request.text.pipe(Effect.orElseSucceed(() => ""))
  try {
    return { ok: true as const, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false as const, raw: text.slice(0, 10_000) }
  }
})

/** The CloudEvent id of a parsed body (our events carry the task event id as CloudEvent id). */
const cloudEventId = (body: unknown): string | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  const { id, data } = body as { id?: unknown; data?: { eventId?: unknown } }
  if (typeof id === "string" && id !== "") return id
  return typeof data?.eventId === "string" ? data.eventId : undefined
}

export const SubscriptionRoutes = Layer.unwrap(
  Effect.gen(function* () {
    const pubsub = yield* PUBSUB_NAME
    const token = yield* Config.option(Config.Redacted("APP_API_TOKEN"))
    const consumer = yield* EventConsumer
    const deadLetters = yield* DeadLetters
    const sql = yield* SqlClient

    /**
     * A delivery: the consumer decides (and records a RETRY or DROP with its reason). A body that is not JSON is
     * DROPped; daprd then sends it to the dead-letter topic, whose route parks it, once.
     */
    const deliver = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* bodyJson
      if (!body.ok) return statusBody("DROP")
      const delivered = yield* consumer.deliver(body.value, {
        topic: TASKS_TOPIC,
        traceparent: request.headers.traceparent,
        tracestate: request.headers.tracestate,
      })
      return statusBody(delivered.status)
    })

    /**
     * A dead letter from the sidecar (the original bytes, after the retries ran out, or at once for a DROP): parked
     * with what the consumer recorded about its failures. An event that was processed after all (an attempt that
     * timed out at the sidecar but committed here) is not parked.
     */
    const deadLetter = Effect.gen(function* () {
      const body = yield* bodyJson
      const envelope = body.ok ? body.value : { raw: body.raw }
      const id = body.ok ? cloudEventId(body.value) : undefined
      if (id !== undefined) {
        const processed = yield* sql`
          SELECT 1 FROM processed_events WHERE consumer = ${CONSUMER} AND event_id = ${id}`.pipe(
          Effect.result,
        )
        if (processed._tag === "Failure") return statusBody("RETRY")
        if (processed.success.length > 0) {
          yield* Effect.logInfo(`dead letter ${id} was processed after all; not parked`)
          return statusBody("SUCCESS")
        }
      }
      const parked = yield* deadLetters
        .park({
          envelope,
          topic: TASKS_TOPIC,
          error: body.ok
            ? "dead-lettered by the sidecar with no failed delivery recorded here (not a CloudEvent, expired, no route, or every attempt timed out)"
            : "the body is not JSON",
          attempts: 0,
        })
        .pipe(Effect.result)
      // If parking fails, ask for a retry: losing a dead letter would lose the event.
      return statusBody(parked._tag === "Success" ? "SUCCESS" : "RETRY")
    })

    return Layer.mergeAll(
      HttpRouter.add(
        "GET",
        "/dapr/subscribe",
        withRequestContext(
          withAppToken(token, Effect.succeed(HttpServerResponse.jsonUnsafe(subscriptions(pubsub)))),
        ),
      ),
      HttpRouter.add("GET", "/dapr/config", HttpServerResponse.empty({ status: 404 })),
      HttpRouter.add("POST", EVENTS_ROUTE, withRequestContext(withAppToken(token, deliver))),
      HttpRouter.add("POST", DLQ_ROUTE, withRequestContext(withAppToken(token, deadLetter))),
    )
  }),
)
