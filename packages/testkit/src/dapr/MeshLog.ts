import type { IncomingHttpHeaders } from "node:http"
import type { BrokerRecord } from "./Broker.ts"

/** Everything the mesh observed, for assertions. All arrays are append-only and in event order. */

/** One HTTP request an app made to `/v1.0/publish/…`, as received, with the sidecar's answer. */
export interface PublishRequestLog {
  readonly seq: number
  readonly at: number
  readonly appId: string
  readonly method: string
  /** Path without the query string, as sent. */
  readonly path: string
  /** The raw query string without `?` ("" when none). */
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  readonly status: number
  readonly responseBody: string
  /** The record written to the broker (absent when the publish failed). */
  readonly record: BrokerRecord | undefined
}

/**
 * One delivery attempt (one HTTP POST to the app).
 * - `success`: 2xx answered as SUCCESS (or unreadable / without status)
 * - `retry`: the app asked for a retry (RETRY, unknown status, any non-2xx other than 404)
 * - `drop`: DROP or 404
 * - `timeout`: the per-attempt timeout expired (the app may still be working)
 * - `error`: no HTTP answer (connection refused/reset, invalid header)
 */
export type AttemptOutcome = "success" | "retry" | "drop" | "timeout" | "error"

export interface DeliveryAttempt {
  readonly seq: number
  readonly at: number
  readonly durationMs: number
  readonly appId: string
  readonly topic: string
  readonly record: BrokerRecord
  /** The CloudEvent `id` of the record ("" when the body is not a CloudEvent). */
  readonly cloudEventId: string
  readonly path: string
  /** Component-level redelivery round (1 = first); > 1 only when retries ran out without a DLQ. */
  readonly round: number
  /** Attempt within the round (1 = first try, up to 1 + maxRetries). */
  readonly attempt: number
  /** True for the second delivery made by `duplicateDeliveries`. */
  readonly duplicate: boolean
  /** The request headers as sent (names as written on the wire). */
  readonly requestHeaders: Readonly<Record<string, string>>
  readonly statusCode: number | undefined
  readonly responseBody: string
  readonly outcome: AttemptOutcome
  readonly error: string | undefined
}

/**
 * How the handling of one record ended.
 * - `acked`: delivered and answered SUCCESS
 * - `dropped`: DROP/404, expired, or no matching route, without a DLQ
 * - `dead-lettered`: published to the DLQ topic (see `deadLetterRecord`) and acked
 * - `abandoned`: the sidecar stopped meanwhile; the record stays uncommitted and is redelivered later
 */
export type DeliveryResultKind = "acked" | "dropped" | "dead-lettered" | "abandoned"

export type DeliveryReason =
  | "success"
  | "app-drop"
  | "retries-exhausted"
  | "expired"
  | "no-route"
  | "route-error"
  | "not-cloudevent"
  | "sidecar-stopped"

export interface DeliveryResult {
  readonly seq: number
  readonly at: number
  readonly appId: string
  readonly topic: string
  readonly record: BrokerRecord
  readonly cloudEventId: string
  readonly result: DeliveryResultKind
  readonly reason: DeliveryReason
  readonly deadLetterTopic: string | undefined
  readonly deadLetterRecord: BrokerRecord | undefined
  /** HTTP attempts made for this record (all rounds). */
  readonly attempts: number
  readonly duplicate: boolean
}

/** A span a sidecar made with tracing on (DAPR.md §6: a new span id at each hop), for trace assertions. */
export interface SidecarSpan {
  readonly appId: string
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
}

export class MeshLog {
  readonly spans: SidecarSpan[] = []
  readonly publishRequests: PublishRequestLog[] = []
  readonly attempts: DeliveryAttempt[] = []
  readonly results: DeliveryResult[] = []
  /** Things daprd would log as warnings (ignored subscriptions, bad answers to /dapr/subscribe). */
  readonly warnings: string[] = []
  #seq = 0

  addPublish(entry: Omit<PublishRequestLog, "seq" | "at">): void {
    this.publishRequests.push({ ...entry, seq: ++this.#seq, at: Date.now() })
  }
  addAttempt(entry: Omit<DeliveryAttempt, "seq">): void {
    this.attempts.push({ ...entry, seq: ++this.#seq })
  }
  addResult(entry: Omit<DeliveryResult, "seq" | "at">): void {
    this.results.push({ ...entry, seq: ++this.#seq, at: Date.now() })
  }
}
