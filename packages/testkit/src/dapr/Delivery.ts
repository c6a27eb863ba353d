import type http from "node:http"
import { AppCallError, callApp, wireHeaders } from "./AppChannel.ts"
import { interpretAppAnswer } from "./AppAnswer.ts"
import { type Broker, type BrokerRecord, BrokerUnavailableError } from "./Broker.ts"
import { type GoObject, type GoValue, isGoObject, unmarshal } from "./GoJson.ts"
import { goPathClean } from "./GoHttp.ts"
import { parseRfc3339 } from "./GoTime.ts"
import type { AttemptOutcome, DeliveryReason, DeliveryResultKind, MeshLog } from "./MeshLog.ts"
import { RouteMatchEvalError } from "./RouteMatch.ts"
import { sleep } from "./Sleep.ts"
import type { Subscription } from "./Subscriptions.ts"
import { childSpan, EMPTY_TRACEPARENT, formatTraceparent, parseTraceparent } from "./TraceParent.ts"

/**
 * What the subscribing daprd does with one Kafka record (DAPR.md §2 "Delivery request", "How the app's answer is
 * read", "After a retriable failure"; R: pkg/runtime/subscription/subscription.go, postman/http/http.go;
 * C: common/component/kafka/consumer.go).
 */

/** Inbound resiliency (DAPR.md §5): `maxRetries: 3` = 4 attempts, `intervalMs` apart (constant policy). */
export interface ResiliencyOptions {
  /** Retries after the first attempt; -1 retries forever (Dapr's default when the field is omitted). */
  readonly maxRetries: number
  readonly intervalMs: number
  /** Per-attempt timeout (DAPR.md §5 `timeouts`); unset = wait for the app indefinitely. */
  readonly timeoutMs?: number
}

export interface DeliveryContext {
  readonly appId: string
  readonly pubsubName: string
  readonly appUrl: URL
  readonly appApiToken: string | undefined
  readonly tracing: boolean
  /** undefined = no inbound policy: a single attempt (DAPR.md §2 step 1). */
  readonly resiliency: ResiliencyOptions | undefined
  /** The Kafka component's constant backoff between whole-handler reruns (Dapr: 5 s). */
  readonly redeliveryBackoffMs: number
  readonly broker: Broker
  readonly log: MeshLog
  readonly agent: http.Agent
  /** Aborted when the sidecar stops: in-flight work is abandoned and the record redelivered later. */
  readonly signal: AbortSignal
  /** Publishing scopes also govern dead-letter publishes (they go through the same publish path). */
  readonly mayPublish: (topic: string) => boolean
}

type RoundEnd =
  | {
      readonly kind: "done"
      readonly result: Exclude<DeliveryResultKind, "abandoned">
      readonly reason: DeliveryReason
      readonly dlq?: BrokerRecord
    }
  | { readonly kind: "failed" }
  | { readonly kind: "abandoned" }

interface RecordState {
  readonly record: BrokerRecord
  readonly duplicate: boolean
  readonly subscription: Subscription
  round: number
  attempts: number
  cloudEventId: string
}

/**
 * GetEventMetadata (C: consumer.go) plus `pubsubName` (R: subscription.go): `__key` (only for keyed records),
 * `__offset`, `__topic`, `__timestamp` (ms), `__partition`, then every record header, which overrides them — so a
 * dead-lettered record still shows its original coordinates (DAPR.md §2 step 2).
 */
export const eventMetadata = (record: BrokerRecord, pubsubName: string): Map<string, string> => {
  const metadata = new Map<string, string>()
  if (record.key !== undefined) metadata.set("__key", record.key)
  metadata.set("__offset", String(record.offset))
  metadata.set("__topic", record.topic)
  metadata.set("__timestamp", String(record.timestamp))
  metadata.set("__partition", String(record.partition))
  for (const [k, v] of Object.entries(record.headers)) metadata.set(k, v)
  metadata.set("pubsubName", pubsubName)
  return metadata
}

const stringField = (ce: GoObject, name: string): string | undefined => {
  const v = ce.get(name)
  return typeof v === "string" ? v : undefined
}

/** The envelope as the subscriber reads it (`json.Unmarshal` into a map), or undefined when it is not one. */
const readCloudEvent = (
  record: BrokerRecord,
  metadata: ReadonlyMap<string, string>,
): GoObject | undefined => {
  let parsed: GoValue
  try {
    parsed = unmarshal(record.value)
  } catch {
    return undefined
  }
  if (!isGoObject(parsed)) return undefined
  // Fall back to record headers for trace fields missing from the envelope (R: subscription.go).
  for (const f of ["traceid", "traceparent", "tracestate"]) {
    const fromHeader = metadata.get(f)
    if (!parsed.has(f) && fromHeader !== undefined) {
      parsed.set(f, fromHeader)
      if (f === "traceparent") parsed.set("traceid", fromHeader)
    }
  }
  return parsed
}

const hasExpired = (ce: GoObject): boolean => {
  const expiration = stringField(ce, "expiration")
  if (expiration === undefined || expiration === "") return false
  const at = parseRfc3339(expiration)
  return at !== undefined && at < Date.now()
}

/** The DLQ publish: the original bytes and the full original metadata, keyed like the original (DAPR.md §2 step 2). */
const publishDeadLetter = (
  ctx: DeliveryContext,
  topic: string,
  record: BrokerRecord,
  metadata: Map<string, string>,
) => {
  if (!ctx.mayPublish(topic)) return undefined
  try {
    // The Kafka component takes the key from `partitionKey` or `__key` (C: producer.go).
    const key = metadata.get("partitionKey") ?? metadata.get("__key")
    return ctx.broker.produce({ topic, key, value: record.value, headers: metadata })
  } catch (e) {
    if (e instanceof BrokerUnavailableError) return undefined
    throw e
  }
}

const traceHeaders = (ctx: DeliveryContext, ce: GoObject): Array<readonly [string, string]> => {
  // daprd reads the envelope's `traceparent`, falling back to `traceid` (R: postman/http/http.go).
  const raw =
    ce.has("traceparent") && ce.get("traceparent") !== null ? ce.get("traceparent") : ce.get("traceid")
  const parent = parseTraceparent(typeof raw === "string" ? raw : undefined)
  const tracestate = stringField(ce, "tracestate") ?? ""
  const headers: Array<readonly [string, string]> = []
  if (ctx.tracing) {
    const child = childSpan(parent)
    ctx.log.spans.push({
      appId: ctx.appId,
      name: `pubsub/${stringField(ce, "topic") ?? ""}`,
      traceId: child.traceId,
      spanId: child.spanId,
      parentSpanId: parent?.spanId,
    })
    headers.push(["traceparent", formatTraceparent(child)])
  } else headers.push(["traceparent", parent === undefined ? EMPTY_TRACEPARENT : formatTraceparent(parent)])
  if (tracestate !== "") headers.push(["tracestate", tracestate])
  return headers
}

const deliverOnce = async (
  ctx: DeliveryContext,
  state: RecordState,
  ce: GoObject,
  path: string,
  metadata: ReadonlyMap<string, string>,
  attempt: number,
): Promise<AttemptOutcome | "abandoned"> => {
  const headers: Array<readonly [string, string]> = [
    ...metadata,
    ["Content-Type", "application/cloudevents+json"],
    ...traceHeaders(ctx, ce),
    ...(ctx.appApiToken === undefined ? [] : [["dapr-api-token", ctx.appApiToken] as const]),
  ]
  const started = Date.now()
  state.attempts++
  let statusCode: number | undefined
  let responseBody = ""
  let outcome: AttemptOutcome
  let error: string | undefined
  try {
    const res = await callApp(ctx.agent, {
      method: "POST",
      url: new URL(path, ctx.appUrl),
      headers,
      body: state.record.value,
      ...(ctx.resiliency?.timeoutMs === undefined ? {} : { timeoutMs: ctx.resiliency.timeoutMs }),
      signal: ctx.signal,
    })
    statusCode = res.status
    responseBody = res.body.toString("utf8")
    outcome = interpretAppAnswer(res.status, res.body).kind
  } catch (e) {
    if (!(e instanceof AppCallError)) throw e
    if (e.kind === "aborted") return "abandoned"
    outcome = e.kind === "timeout" ? "timeout" : "error"
    error = e.message
  }
  ctx.log.addAttempt({
    at: started,
    durationMs: Date.now() - started,
    appId: ctx.appId,
    topic: state.record.topic,
    record: state.record,
    cloudEventId: state.cloudEventId,
    path,
    round: state.round,
    attempt,
    duplicate: state.duplicate,
    requestHeaders: wireHeaders(headers),
    statusCode,
    responseBody,
    outcome,
    error,
  })
  return outcome
}

/** One run of daprd's subscription handler for a record, resiliency policy included. */
const runRound = async (ctx: DeliveryContext, state: RecordState): Promise<RoundEnd> => {
  const { record, subscription } = state
  const dlqTopic = subscription.deadLetterTopic
  const metadata = eventMetadata(record, ctx.pubsubName)
  // "Acked without delivery (and DLQ'd if set)": the DLQ publish result does not matter for these cases.
  const ackOrDeadLetter = (reason: DeliveryReason): RoundEnd => {
    const dlq = dlqTopic === undefined ? undefined : publishDeadLetter(ctx, dlqTopic, record, metadata)
    return dlq === undefined
      ? { kind: "done", result: "dropped", reason }
      : { kind: "done", result: "dead-lettered", reason, dlq }
  }
  // For errors, a DLQ is the way out; without one (or if its publish fails) the component retries the record.
  const deadLetterOrFail = (reason: DeliveryReason): RoundEnd => {
    const dlq = dlqTopic === undefined ? undefined : publishDeadLetter(ctx, dlqTopic, record, metadata)
    return dlq === undefined ? { kind: "failed" } : { kind: "done", result: "dead-lettered", reason, dlq }
  }

  const ce = readCloudEvent(record, metadata)
  if (ce === undefined) return deadLetterOrFail("not-cloudevent")
  state.cloudEventId = stringField(ce, "id") ?? ""
  if (hasExpired(ce)) return ackOrDeadLetter("expired")

  let path: string | undefined
  try {
    path = subscription.rules.find((rule) => rule.matcher === undefined || rule.matcher.matches(ce))?.path
  } catch (e) {
    if (e instanceof RouteMatchEvalError) return deadLetterOrFail("route-error")
    throw e
  }
  if (path === undefined) return ackOrDeadLetter("no-route")
  // The leading "/" is added and the path cleaned; there is no query string (DAPR.md §2).
  const target = goPathClean(`/${path}`)

  const policy = ctx.resiliency
  const maxAttempts =
    policy === undefined ? 1 : policy.maxRetries < 0 ? Number.POSITIVE_INFINITY : 1 + policy.maxRetries
  for (let attempt = 1; ; attempt++) {
    const outcome = await deliverOnce(ctx, state, ce, target, metadata, attempt)
    if (outcome === "abandoned") return { kind: "abandoned" }
    if (outcome === "success") return { kind: "done", result: "acked", reason: "success" }
    if (outcome === "drop") {
      // DROP/404: not retried; dead-lettered if a DLQ is set (DAPR.md §2 table, dapr/dapr#7097).
      if (dlqTopic === undefined) return { kind: "done", result: "dropped", reason: "app-drop" }
      const dlq = publishDeadLetter(ctx, dlqTopic, record, metadata)
      if (dlq !== undefined) return { kind: "done", result: "dead-lettered", reason: "app-drop", dlq }
      // A failed DLQ publish turns the drop into an ordinary error of this attempt.
    }
    if (attempt >= maxAttempts) break
    if (!(await sleep(policy?.intervalMs ?? 0, ctx.signal))) return { kind: "abandoned" }
  }
  return deadLetterOrFail("retries-exhausted")
}

/**
 * Handles a record until it is finished: rounds of the handler, separated by the component's constant backoff when
 * a round fails without a DLQ — forever, blocking the partition, as the Kafka component does (DAPR.md §2 step 3).
 */
export const handleRecord = async (
  ctx: DeliveryContext,
  record: BrokerRecord,
  subscription: Subscription,
  duplicate: boolean,
): Promise<"committed" | "abandoned"> => {
  const state: RecordState = { record, duplicate, subscription, round: 0, attempts: 0, cloudEventId: "" }
  for (;;) {
    state.round++
    const end = await runRound(ctx, state)
    if (end.kind === "done") {
      logResult(ctx, state, end.result, end.reason, end.dlq)
      return "committed"
    }
    if (end.kind === "abandoned" || !(await sleep(ctx.redeliveryBackoffMs, ctx.signal))) {
      // Shutdown: no DLQ publish, no commit; the record goes to whoever consumes the partition next.
      logResult(ctx, state, "abandoned", "sidecar-stopped", undefined)
      return "abandoned"
    }
  }
}

const logResult = (
  ctx: DeliveryContext,
  state: RecordState,
  result: DeliveryResultKind,
  reason: DeliveryReason,
  dlq: BrokerRecord | undefined,
) =>
  ctx.log.addResult({
    appId: ctx.appId,
    topic: state.record.topic,
    record: state.record,
    cloudEventId: state.cloudEventId,
    result,
    reason,
    deadLetterTopic: dlq?.topic,
    deadLetterRecord: dlq,
    attempts: state.attempts,
    duplicate: state.duplicate,
  })
