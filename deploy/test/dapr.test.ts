// The chart's Dapr resources rendered with deploy/dapr/values-local.yaml: exactly what the real-sidecar tests and
// `npm run start:dapr` load into daprd (packages/testkit/src/dapr/Resources.ts renders them the same way). There is
// no hand-kept copy of any Dapr resource in the repository: the chart's templates are the one source.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { AGENT, API, expectKafkaVersion, expectResiliency, expectTopicAcls } from "./dapr-expectations.ts"
import {
  chartDir,
  type DaprComponent,
  daprDir,
  find,
  findHelm,
  helmMissingReason,
  helmTemplate,
  listFiles,
  metadataMap,
  type Resiliency,
  rel,
  type TracingConfiguration,
} from "./support.ts"

const helm = findHelm()
const localValues = ["-f", join(daprDir, "values-local.yaml")]
const showDapr = ["pubsub.yaml", "resiliency.yaml", "configuration.yaml"].flatMap((t) => [
  "--show-only",
  `templates/dapr/${t}`,
])

describe("deploy/dapr", () => {
  it("holds only the local values: no copy of a chart resource", () => {
    expect(listFiles(daprDir, [".yaml", ".yml"]).map(rel)).toEqual(["deploy/dapr/values-local.yaml"])
    expect(existsSync(join(chartDir, "templates", "dapr", "pubsub.yaml"))).toBe(true)
  })
})

describe.skipIf(helm === undefined)(
  `the chart's Dapr resources with local values${helm ? "" : ` (${helmMissingReason})`}`,
  () => {
    const render = (args: ReadonlyArray<string> = []) =>
      helmTemplate(helm!, [...localValues, ...showDapr, ...args])
    const docs = helm ? render() : []

    it("renders exactly the pub/sub component, the resiliency and the Configuration", () => {
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
        "Component/pubsub-kafka",
        "Resiliency/todo-resiliency",
        "Configuration/todo-tracing",
      ])
    })

    it("pubsub-kafka: SASL SCRAM-SHA-512 without TLS, credentials from the local secret store, the cluster's ACLs", () => {
      const component = find<DaprComponent>(docs, "Component", "pubsub-kafka")
      expect(component.spec.type).toBe("pubsub.kafka")
      const meta = metadataMap(component)
      expect(meta.get("authType")?.value).toBe("password")
      expect(meta.get("saslMechanism")?.value).toBe("SHA-512")
      expect(meta.get("disableTls")?.value).toBe("true")
      expect(meta.has("caCert")).toBe(false)
      for (const [name, key] of [
        ["brokers", "brokers"],
        ["saslUsername", "username"],
        ["saslPassword", "password"],
      ] as const)
        expect(meta.get(name)?.secretKeyRef, name).toEqual({ name: "todo-kafka", key })
      expect((component as unknown as { auth?: unknown }).auth).toEqual({ secretStore: "local-secrets" })
      expect(meta.get("consumerGroup")?.value).toBe("local.todo.todo.{appID}")
      expectKafkaVersion(component)
      expectTopicAcls(component)
    })

    it("the same resiliency as the cluster", () => {
      const resiliency = find<Resiliency>(docs, "Resiliency", "todo-resiliency")
      expectResiliency(resiliency.spec)
      expect(resiliency.scopes).toEqual([API, AGENT])
    })

    it("tracing: spans go nowhere unless an endpoint is given, then over OTLP/HTTP without TLS", () => {
      const off = find<TracingConfiguration>(docs, "Configuration", "todo-tracing")
      expect(off.spec.tracing.samplingRate).toBe("1")
      expect(off.spec.tracing.otel).toBeUndefined()
      const on = find<TracingConfiguration>(
        render(["--set", "dapr.tracing.endpointAddress=127.0.0.1:4318"]),
        "Configuration",
        "todo-tracing",
      )
      expect(on.spec.tracing.otel).toEqual({
        endpointAddress: "127.0.0.1:4318",
        protocol: "http",
        isSecure: false,
      })
    })
  },
)
