// The Dapr resources kept apart from the chart (deploy/dapr/**), for kubectl apply and the local
// `dapr run -f` setup. The chart-rendered counterparts are checked in chart.test.ts.
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import {
  AGENT,
  API,
  expectedAcls,
  expectKafkaComponent,
  expectResiliency,
  expectTopicAcls,
  expectTracing,
} from "./dapr-expectations.ts"
import {
  type DaprComponent,
  daprDir,
  type K8sObject,
  listFiles,
  metadataMap,
  parseYamlFile,
  type Resiliency,
  rel,
  repoRoot,
  type TracingConfiguration,
} from "./support.ts"

const yamlFiles = listFiles(daprDir, [".yaml", ".yml"])
const load = <T>(path: string): T => parseYamlFile<T>(join(daprDir, path))

describe("deploy/dapr files", () => {
  it("are the expected set and each parses as exactly one YAML document", () => {
    expect(yamlFiles.map(rel).sort()).toEqual([
      "deploy/dapr/components/pubsub-kafka.yaml",
      "deploy/dapr/components/resiliency.yaml",
      "deploy/dapr/components/tracing.yaml",
      "deploy/dapr/local/components/pubsub.yaml",
      "deploy/dapr/local/components/resiliency.yaml",
      "deploy/dapr/local/config.yaml",
      "deploy/dapr/local/dapr.yaml",
    ])
    for (const file of yamlFiles) {
      const docs = parseAllDocuments(readFileSync(file, "utf8"))
      expect(docs, rel(file)).toHaveLength(1)
      expect(docs[0]?.errors, rel(file)).toEqual([])
    }
  })

  it("Dapr resources carry no namespace (applied with -n) and any Subscription is scoped to the agent", () => {
    const resources = yamlFiles
      .filter((f) => !f.endsWith("dapr.yaml"))
      .map((f) => ({ file: rel(f), doc: parseYamlFile<K8sObject>(f) }))
    for (const { file, doc } of resources) {
      expect(doc.apiVersion, file).toMatch(/^dapr\.io\//)
      expect(doc.metadata.namespace, file).toBeUndefined()
      // The agent subscribes programmatically; a declarative Subscription without scopes would make
      // every Dapr app in the namespace subscribe (docs/dapr.md §2).
      if (doc.kind === "Subscription") expect(doc.scopes, file).toEqual([AGENT])
    }
  })
})

describe("pubsub-kafka for DigitalOcean Managed Kafka", () => {
  const component = load<DaprComponent>("components/pubsub-kafka.yaml")

  it("uses SASL SHA-256 over TLS with the DO CA, oldest offset, per-app groups, secrets from todo-kafka", () => {
    expectKafkaComponent(component, "todo-kafka")
  })

  it("lists exactly the metadata it needs", () => {
    expect([...metadataMap(component).keys()].sort()).toEqual(
      [
        "allowedTopics",
        "authType",
        "brokers",
        "caCert",
        "clientID",
        "consumeRetryInterval",
        "disableTls",
        "initialOffset",
        "maxMessageBytes",
        "publishingScopes",
        "saslMechanism",
        "saslPassword",
        "saslUsername",
        "subscriptionScopes",
      ].sort(),
    )
    expect(metadataMap(component).get("maxMessageBytes")?.value).toBe("1000000")
  })
})

describe("local components (dapr run -f)", () => {
  const local = load<DaprComponent>("local/components/pubsub.yaml")

  it("keep the name pubsub-kafka on Redis with the same scopes and topic ACLs", () => {
    expect(local.metadata.name).toBe("pubsub-kafka")
    expect(local.spec.type).toBe("pubsub.redis")
    expect(metadataMap(local).get("redisHost")?.value).toBe("localhost:6379")
    expect(metadataMap(local).has("consumerID")).toBe(false)
    expectTopicAcls(local)
    const kafka = load<DaprComponent>("components/pubsub-kafka.yaml")
    for (const key of Object.keys(expectedAcls)) {
      expect(metadataMap(local).get(key), key).toEqual(metadataMap(kafka).get(key))
    }
  })

  it("use the same resiliency spec as the cluster", () => {
    const cluster = load<Resiliency>("components/resiliency.yaml")
    const laptop = load<Resiliency>("local/components/resiliency.yaml")
    expect(laptop.spec).toEqual(cluster.spec)
    expect(laptop.scopes).toEqual(cluster.scopes)
  })

  it("trace to a Jaeger on localhost over OTLP gRPC", () => {
    expectTracing(load<TracingConfiguration>("local/config.yaml"), "localhost:4317")
  })
})

describe("resiliency", () => {
  const resiliency = load<Resiliency>("components/resiliency.yaml")

  it("retries outbound, retries inbound before the dead letter, and one poison event cannot open the breaker", () => {
    expect(resiliency.kind).toBe("Resiliency")
    expect(resiliency.metadata.name).toBe("todo-resiliency")
    expect(resiliency.scopes).toEqual([API, AGENT])
    expectResiliency(resiliency.spec)
  })
})

describe("tracing Configuration", () => {
  it("samples everything and sets protocol and isSecure", () => {
    expectTracing(
      load<TracingConfiguration>("components/tracing.yaml"),
      "todo-jaeger.todo.svc.cluster.local:4317",
    )
  })
})

describe("dapr.yaml multi-app run file", () => {
  const file = join(daprDir, "local", "dapr.yaml")
  interface RunApp {
    readonly appID: string
    readonly appDirPath: string
    readonly appPort: number
    readonly daprHTTPPort: number
    readonly daprGRPCPort: number
    readonly command: ReadonlyArray<string>
    readonly env?: Record<string, string>
  }
  interface RunFile {
    readonly version: number
    readonly common: {
      readonly resourcesPaths: ReadonlyArray<string>
      readonly configFilePath: string
      readonly env: Record<string, string>
    }
    readonly apps: ReadonlyArray<RunApp>
  }
  const run = parseYamlFile<RunFile>(file)
  const base = dirname(file)

  it("runs todo-api on 4000 and todo-agent on 5000 with their start commands", () => {
    expect(run.version).toBe(1)
    expect(run.apps.map((a) => [a.appID, a.appPort, a.command])).toEqual([
      [API, 4000, ["node", "packages/api/src/main.ts"]],
      [AGENT, 5000, ["node", "packages/agent/src/main.ts"]],
    ])
    for (const app of run.apps) expect(app.env?.PORT, app.appID).toBe(String(app.appPort))
    expect(new Set(run.apps.map((a) => a.daprHTTPPort)).size).toBe(2)
    expect(new Set(run.apps.map((a) => a.daprGRPCPort)).size).toBe(2)
  })

  it("points at paths that exist: the repository root, the local components and config", () => {
    for (const app of run.apps) expect(resolve(base, app.appDirPath), app.appID).toBe(repoRoot)
    expect(run.common.resourcesPaths.map((p) => rel(resolve(base, p)))).toEqual([
      "deploy/dapr/local/components",
    ])
    expect(rel(resolve(base, run.common.configFilePath))).toBe("deploy/dapr/local/config.yaml")
    for (const p of [...run.common.resourcesPaths, run.common.configFilePath]) {
      expect(existsSync(resolve(base, p)), p).toBe(true)
    }
  })

  it("gives the apps the shared configuration (pubsub name, topic, OTLP endpoint)", () => {
    expect(run.common.env.PUBSUB_NAME).toBe("pubsub-kafka")
    expect(run.common.env.EVENTS_TOPIC).toBe("tasks-lifecycle")
    expect(run.common.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://localhost:4318")
    expect(run.apps.map((a) => a.env?.MIGRATE_ON_START)).toEqual(["true", "false"])
  })
})
