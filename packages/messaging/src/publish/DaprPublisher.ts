import { EventPublisher, PublishError } from "./EventPublisher.ts"
import type { OutboxRecord } from "../outbox/OutboxRow.ts"
import { TASKS_TOPIC } from "@todo/contracts"
import { Config, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"

/** Where the sidecar listens: DAPR_HTTP_ENDPOINT, or 127.0.0.1:DAPR_HTTP_PORT (injected by Dapr, default 3500). */
export const DaprSidecarConfig = Config.all({
  endpoint: Config.option(Config.String("DAPR_HTTP_ENDPOINT")),
  port: Config.Port("DAPR_HTTP_PORT").pipe(Config.withDefault(3500)),
  apiToken: Config.option(Config.Redacted("DAPR_API_TOKEN")),
  pubsub: Config.String("PUBSUB_NAME").pipe(Config.withDefault("pubsub-kafka")),
  topic: Config.String("EVENTS_TOPIC").pipe(Config.withDefault(TASKS_TOPIC)),
  timeout: Config.Duration("DAPR_PUBLISH_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
  waitForSidecar: Config.Duration("DAPR_WAIT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(60))),
})

/**
 * Publishes outbox events through the Dapr sidecar's HTTP API as daprd expects it:
 * `POST /v1.0/publish/{pubsub}/{topic}` with `Content-Type: application/json` (else the data arrives as a string),
 * `metadata.partitionKey` = userId (Kafka key: one user's events stay in one partition, in order),
 * `metadata.cloudevent.id` = the event's own id (a republish or replay keeps one id, so consumers dedupe) and
 * `metadata.cloudevent.type` = the event type, the request's `traceparent` (added by the traced HttpClient, from
 * the relay span that continues the writing request's trace), and `dapr-api-token` when DAPR_API_TOKEN is set.
 *
 * Not `@dapr/dapr`'s DaprClient: its publish never throws (errors come back as a value), cannot set
 * headers (no traceparent), and blocks ~30 s polling /v1.0/metadata on first use.
 */
export const DaprPublisherLive = Layer.effect(
  EventPublisher,
  Effect.gen(function* () {
    const config = yield* DaprSidecarConfig
    const base = Option.getOrElse(config.endpoint, () => `http://127.0.0.1:${config.port}`).replace(/\/$/, "")
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        Option.match(config.apiToken, {
          onNone: () => request,
          onSome: (token) => HttpClientRequest.setHeader(request, "dapr-api-token", Redacted.value(token)),
        }),
      ),
    )
    const reported = new Set<string>()

    const publish = Effect.fn("DaprPublisher.publish")(function* (record: OutboxRecord) {
      const url = new URL(
        `${base}/v1.0/publish/${encodeURIComponent(config.pubsub)}/${encodeURIComponent(config.topic)}`,
      )
      url.searchParams.set("metadata.partitionKey", record.userId)
      url.searchParams.set("metadata.cloudevent.id", record.eventId)
      url.searchParams.set("metadata.cloudevent.type", record.eventType)
      const request = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyJsonUnsafe(record.payload))
      const response = yield* client.execute(request).pipe(
        Effect.timeoutOrElse({
          duration: config.timeout,
          orElse: () =>
            Effect.fail(
              new PublishError({
                message: `the sidecar did not answer within ${Duration.format(config.timeout)}`,
                configuration: false,
              }),
            ),
        }),
        Effect.catchTag("HttpClientError", (e) =>
          Effect.fail(
            new PublishError({ message: `sidecar unreachable: ${e.message}`, configuration: false }),
          ),
        ),
      )
      if (response.status >= 200 && response.status < 300) return
      const body = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
      // 400/401/403/404 will not heal by themselves: wrong component name, topic ACL, token. Loud once per kind
      // (status and Dapr error code), then quiet: the relay keeps retrying, the events wait in the outbox.
      const configuration = response.status >= 400 && response.status < 500
      const message = `sidecar answered ${response.status}: ${body.slice(0, 300)}`
      const kind = `${response.status} ${body.match(/"errorCode"\s*:\s*"([^"]+)"/)?.[1] ?? ""}`
      if (configuration && !reported.has(kind)) {
        reported.add(kind)
        yield* Effect.logError(`Dapr publish is misconfigured (${config.pubsub}/${config.topic}): ${message}`)
      }
      return yield* new PublishError({ message, configuration, status: response.status })
    })

    /** Waits for `/v1.0/healthz/outbound`, bounded: CRUD never waits for it, only the relay. */
    const ready = client.get(`${base}/v1.0/healthz/outbound`).pipe(
      Effect.flatMap((r) => (r.status < 300 ? Effect.void : Effect.fail(r.status))),
      Effect.retry(Schedule.spaced("500 millis")),
      Effect.timeoutOrElse({
        duration: config.waitForSidecar,
        orElse: () =>
          Effect.logWarning(`the Dapr sidecar at ${base} is not ready; events wait in the outbox`),
      }),
      Effect.ignore,
    )

    return EventPublisher.of({ publish, ready })
  }),
)
