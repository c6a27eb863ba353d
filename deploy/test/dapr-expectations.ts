// Assertions on the chart's Dapr resources, shared by the cluster renders (chart.test.ts) and the render with
// local values the real sidecars load (dapr.test.ts), so both are held to the same requirements (docs/dapr.md, docs/architecture.md).
import { daprResiliencyPolicies, retryPolicy } from "@todo/messaging"
import { expect } from "vitest"
import {
  type DaprComponent,
  isTopicAllowed,
  metadataMap,
  type ResiliencySpec,
  type TracingConfiguration,
  tripThreshold,
} from "./support.ts"

export const API = "todo-api"
export const AGENT = "todo-agent"
export const TOPIC = "tasks-lifecycle"
export const DLQ = "tasks-lifecycle-dlq"

export const expectedAcls = {
  publishingScopes: `${API}=${TOPIC};${AGENT}=${DLQ}`,
  subscriptionScopes: `${API}=;${AGENT}=${TOPIC},${DLQ}`,
  allowedTopics: `${TOPIC},${DLQ}`,
}

/** Oldest Kafka protocol version a Kafka 4 broker accepts (KIP-896). */
const KIP_896_FLOOR = [2, 1, 0]

/** The Kafka protocol `version` is set, and is one Kafka 4 brokers accept (Dapr's default, 2.0.0, is not). */
export const expectKafkaVersion = (component: DaprComponent): void => {
  const version = metadataMap(component).get("version")?.value
  expect(version, "the Kafka component's version").toMatch(/^\d+\.\d+\.\d+$/)
  const parts = String(version).split(".").map(Number)
  const cmp = parts.map((p, i) => p - KIP_896_FLOOR[i]!).find((d) => d !== 0) ?? 0
  expect(cmp, `version ${version} must be at least 2.1.0`).toBeGreaterThanOrEqual(0)
}

/** The DO Managed Kafka component (docs/dapr.md, docs/architecture.md). */
export const expectKafkaComponent = (
  component: DaprComponent,
  secretName: string,
  consumerGroup: string,
): void => {
  expect(component.apiVersion).toBe("dapr.io/v1alpha1")
  expect(component.kind).toBe("Component")
  expect(component.metadata.name).toBe("pubsub-kafka")
  expect(component.spec.type).toBe("pubsub.kafka")
  expect(component.spec.version).toBe("v1")
  const meta = metadataMap(component)
  expect(meta.get("authType")?.value).toBe("password")
  // Exactly SHA-256: "SCRAM-SHA-256" or any other spelling silently falls back to SASL/PLAIN.
  expect(meta.get("saslMechanism")?.value).toBe("SHA-256")
  expect(meta.get("initialOffset")?.value).toBe("oldest")
  expect(meta.get("clientID")?.value).toBe("{appID}")
  expect(meta.get("disableTls")?.value).toBe("false")
  expect(meta.has("skipVerify")).toBe(false)
  // One group per app ({appID}: never one literal shared by api and agent) and per environment and release.
  expect(meta.get("consumerGroup")?.value).toBe(consumerGroup)
  expect(consumerGroup.endsWith(".{appID}")).toBe(true)
  expectKafkaVersion(component)
  for (const [name, key] of [
    ["brokers", "brokers"],
    ["saslUsername", "username"],
    ["saslPassword", "password"],
    ["caCert", "ca.crt"],
  ] as const) {
    const item = meta.get(name)
    expect(item?.value, `${name} must not be a literal`).toBeUndefined()
    expect(item?.secretKeyRef, name).toEqual({ name: secretName, key })
  }
  expectTopicAcls(component)
}

/** Scopes and topic ACLs: only the api publishes the topic, only the agent subscribes, the agent's
 *  sidecar may publish the DLQ (its dead-letter republish passes the same check). */
export const expectTopicAcls = (component: DaprComponent): void => {
  expect(component.scopes).toEqual([API, AGENT])
  const meta = metadataMap(component)
  expect(meta.get("publishingScopes")?.value).toBe(expectedAcls.publishingScopes)
  expect(meta.get("subscriptionScopes")?.value).toBe(expectedAcls.subscriptionScopes)
  expect(meta.get("allowedTopics")?.value).toBe(expectedAcls.allowedTopics)

  const pub = (app: string, topic: string) => isTopicAllowed(component, "publishingScopes", app, topic)
  const sub = (app: string, topic: string) => isTopicAllowed(component, "subscriptionScopes", app, topic)
  expect(pub(API, TOPIC)).toBe(true)
  expect(pub(API, DLQ)).toBe(false)
  expect(pub(AGENT, TOPIC)).toBe(false)
  expect(pub(AGENT, DLQ)).toBe(true)
  expect(sub(API, TOPIC)).toBe(false)
  expect(sub(API, DLQ)).toBe(false)
  expect(sub(AGENT, TOPIC)).toBe(true)
  expect(sub(AGENT, DLQ)).toBe(true)
  // allowedTopics: no other topic for anyone.
  expect(pub(API, "other-topic")).toBe(false)
  expect(sub(AGENT, "other-topic")).toBe(false)
}

/** Outbound retries, an inbound retry before the dead letter, and a breaker poison events cannot open. */
export const expectResiliency = (spec: ResiliencySpec, componentName = "pubsub-kafka"): void => {
  const target = spec.targets.components[componentName]
  expect(target, `targets.components.${componentName}`).toBeDefined()
  const inbound = target?.inbound
  const outbound = target?.outbound
  expect(inbound?.retry).toBe("deliveryRetry")
  expect(outbound?.retry).toBe("publishRetry")
  expect(inbound?.timeout).toBe("delivery")
  expect(outbound?.timeout).toBe("publish")
  // One breaker instance per component per sidecar, whatever the direction: one policy for both.
  expect(inbound?.circuitBreaker).toBe("pubsubBreaker")
  expect(outbound?.circuitBreaker).toBe("pubsubBreaker")

  // The policies are the retry policy in code, as generated for the chart (npm run generate:resiliency).
  const p = spec.policies
  expect(p).toEqual(daprResiliencyPolicies(retryPolicy))

  // Every referenced policy exists.
  for (const dir of [inbound, outbound]) {
    expect(p.timeouts[dir?.timeout ?? ""]).toBeDefined()
    expect(p.retries[dir?.retry ?? ""]).toBeDefined()
    expect(p.circuitBreakers[dir?.circuitBreaker ?? ""]).toBeDefined()
  }

  // maxRetries -1 would retry forever and never reach the dead letter.
  const inboundAttempts = (p.retries.deliveryRetry?.maxRetries ?? -1) + 1
  const outboundAttempts = (p.retries.publishRetry?.maxRetries ?? -1) + 1
  expect(inboundAttempts).toBeGreaterThan(1)
  expect(outboundAttempts).toBeGreaterThan(1)
  const threshold = tripThreshold(p.circuitBreakers.pubsubBreaker?.trip ?? "")
  // A poison event fails every one of its attempts in a row, and the agent's sidecar consumes the topic's three
  // partitions at once: three poison events, one per partition, must not open the breaker.
  expect(threshold).toBeGreaterThanOrEqual(3 * inboundAttempts)
  expect(threshold).toBeGreaterThanOrEqual(3 * outboundAttempts)
}

/** docs/dapr.md §7: samplingRate "1", protocol set, isSecure set (it defaults to true). */
export const expectTracing = (config: TracingConfiguration, endpointAddress: string): void => {
  expect(config.apiVersion).toBe("dapr.io/v1alpha1")
  expect(config.kind).toBe("Configuration")
  expect(config.metadata.name).toBe("todo-tracing")
  expect(config.spec.tracing.samplingRate).toBe("1")
  expect(config.spec.tracing.otel).toEqual({ endpointAddress, protocol: "grpc", isSecure: false })
  expect(endpointAddress).toMatch(/^[^:/\s]+:\d+$/)
}
