// Every object the chart renders, in every configuration the docs use, against the vendored API schemas:
// Kubernetes' OpenAPI for built-in kinds, the CRDs of Dapr 1.18, Gateway API, Cilium and Prometheus Operator,
// and each Dapr Component's metadata against components-contrib's metadata.yaml for the Dapr release.
// The Dapr checks cover whatever templates/dapr renders, by kind, so they keep checking when it changes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import {
  chartDir,
  type DaprComponent,
  findHelm,
  guideValuesFile,
  helmMissingReason,
  helmTemplate,
  type K8sObject,
  kubeVersion,
  readRepoFile,
} from "./support.ts"
import {
  componentMetadataErrors,
  daprScopingKeys,
  recordedSources,
  schemaErrors,
  schemasDir,
  sourceOf,
} from "./validate.ts"
import { sha256 } from "./schemas/vendor.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)

describe("vendored schemas (deploy/test/schemas)", () => {
  it("are byte-for-byte the files recorded in sources.json, with their module and version", () => {
    const sources = recordedSources()
    expect(sources.map((s) => s.name).sort()).toEqual(
      ["cilium", "components-contrib", "dapr", "gateway-api", "kubernetes", "prometheus-operator"].sort(),
    )
    for (const source of sources) {
      expect(source.version, source.module).toMatch(/^v\d+\.\d+\.\d+$/)
      expect(source.sum, source.module).toMatch(/^h1:[A-Za-z0-9+/=]+$/)
      for (const [file, { sha256: recorded }] of Object.entries(source.files))
        expect(sha256(join(schemasDir, source.name, file)), `${source.name}/${file}`).toBe(recorded)
    }
  })

  it("components-contrib is the release the vendored Dapr is built with, and Dapr is the one the guide installs", () => {
    const goMod = readFileSync(join(schemasDir, "dapr", "go.mod.txt"), "utf8")
    const contrib = /^\s*github\.com\/dapr\/components-contrib (v\S+)$/m.exec(goMod)?.[1]
    expect(contrib).toBe(sourceOf("components-contrib").version)
    const guide = readRepoFile("docs/deploy-doks.md")
    const installed = [...guide.matchAll(/--runtime-version (\d+\.\d+\.\d+)/g)].map((m) => `v${m[1]}`)
    expect(installed.length).toBeGreaterThan(0)
    expect(new Set(installed)).toEqual(new Set([sourceOf("dapr").version]))
  })

  it("Dapr's scoping keys are read from its source, not listed by hand", () => {
    expect(daprScopingKeys().sort()).toEqual(
      ["allowedTopics", "protectedTopics", "publishingScopes", "subscriptionScopes"].sort(),
    )
  })
})

describe("the validators reject what the API server and Dapr would (they cannot pass vacuously)", () => {
  const deployment = (): K8sObject =>
    parse(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: x }
spec:
  selector: { matchLabels: { a: b } }
  template:
    metadata: { labels: { a: b } }
    spec:
      containers: [{ name: c, image: "i:1" }]
`) as K8sObject

  it("accepts a minimal valid Deployment", () => {
    expect(schemaErrors(deployment())).toEqual([])
  })

  it("rejects an unknown field, a wrong type, a missing required field and an unknown kind", () => {
    const typo = deployment() as unknown as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } }
    }
    ;(typo.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolcy = "Always"
    expect(schemaErrors(typo as unknown as K8sObject).join("\n")).toContain("imagePullPolcy")

    const wrongType = deployment() as unknown as { spec: Record<string, unknown> }
    wrongType.spec.replicas = "two"
    expect(schemaErrors(wrongType as unknown as K8sObject).join("\n")).toContain(
      "/spec/replicas must be integer",
    )

    const noSelector = deployment() as unknown as { spec: Record<string, unknown> }
    delete noSelector.spec.selector
    expect(schemaErrors(noSelector as unknown as K8sObject).join("\n")).toContain("selector")

    expect(schemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual([
      "Widget/w: no vendored schema for example.com/v1 Widget",
    ])
  })

  it("rejects a Dapr resource that breaks its CRD, and a Kafka metadata key or value components-contrib lacks", () => {
    const resiliency = parse(`
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: { name: r }
spec:
  policies: { retries: { r: { policy: constant, maxRetries: "three" } } }
  targets: {}
`) as K8sObject
    expect(schemaErrors(resiliency).join("\n")).toContain("maxRetries")

    const kafka = (metadata: Array<{ name: string; value: string }>): DaprComponent =>
      ({
        apiVersion: "dapr.io/v1alpha1",
        kind: "Component",
        metadata: { name: "pubsub-kafka" },
        spec: {
          type: "pubsub.kafka",
          version: "v1",
          metadata: [{ name: "brokers", value: "b:9092" }, ...metadata],
        },
      }) as DaprComponent
    expect(componentMetadataErrors(kafka([{ name: "authType", value: "password" }]))).toEqual([])
    expect(
      componentMetadataErrors(kafka([{ name: "saslMechanizm", value: "SHA-256" }])).join("\n"),
    ).toContain('"saslMechanizm" is not a field of pubsub.kafka')
    expect(componentMetadataErrors(kafka([{ name: "authType", value: "sasl" }])).join("\n")).toContain(
      '"authType" is "sasl"',
    )
    expect(
      componentMetadataErrors({
        ...kafka([]),
        spec: { type: "pubsub.kafka", version: "v1", metadata: [] },
      }).join("\n"),
    ).toContain('required metadata "brokers" is missing')
    expect(
      componentMetadataErrors({
        ...kafka([]),
        spec: { type: "pubsub.pulsar", version: "v1", metadata: [] },
      }).join("\n"),
    ).toContain("no vendored components-contrib metadata.yaml")
  })
})

describe.skipIf(helm === undefined)("every rendered object is valid against the vendored schemas", () => {
  const h = helm ?? "helm"
  let tmp = ""
  const renders: Array<[string, K8sObject[]]> = []

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "todo-schemas-"))
    const doks = ["-f", join(chartDir, "values-doks.yaml"), "-f", guideValuesFile(tmp)]
    const variants: Array<[string, string[]]> = [
      ["values.yaml (local)", []],
      ["values-doks.yaml + the guide's my-values.yaml", doks],
      ["DOKS, chart's Jaeger on for debugging", [...doks, "--set", "jaeger.enabled=true"]],
      [
        "DOKS with a PodMonitor and a monitoring namespace",
        [
          ...doks,
          "--set",
          "metrics.podMonitor.enabled=true",
          "--set",
          "networkPolicy.monitoringNamespaces={monitoring}",
        ],
      ],
      [
        "local with Kafka from values",
        [
          "--set",
          "dapr.pubsub.type=kafka,redis.enabled=false,secrets.kafka.brokers=k:9093,secrets.kafka.username=u,secrets.kafka.password=p,secrets.kafka.caCert=-----BEGIN CERTIFICATE-----x",
          "--set",
          "networkPolicy.egress.kafka.cidrs={10.0.0.0/8},networkPolicy.egress.kafka.ports={9093}",
        ],
      ],
      [
        "local, Gateway API instead of Ingress, TLS",
        [
          "--set",
          "gateway.enabled=true,ingress.enabled=false,ingress.tls.enabled=true,ingress.tls.clusterIssuer=letsencrypt-prod",
        ],
      ],
      [
        "no network policy, no Dapr components",
        ["--set", "networkPolicy.enabled=false,dapr.components.enabled=false"],
      ],
    ]
    for (const [name, args] of variants) renders.push([name, helmTemplate(h, args)])
  })
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
  })

  it(`every object, in every render, against Kubernetes ${kubeVersion} and the CRDs`, () => {
    const errors = renders.flatMap(([name, docs]) =>
      docs.flatMap((d) => schemaErrors(d).map((e) => `${name}: ${e}`)),
    )
    expect(errors).toEqual([])
    // The renders do exercise the custom kinds.
    const kinds = new Set(renders.flatMap(([, docs]) => docs.map((d) => `${d.apiVersion}/${d.kind}`)))
    for (const kind of [
      "dapr.io/v1alpha1/Component",
      "dapr.io/v1alpha1/Resiliency",
      "dapr.io/v1alpha1/Configuration",
      "gateway.networking.k8s.io/v1/Gateway",
      "gateway.networking.k8s.io/v1/HTTPRoute",
      "cilium.io/v2/CiliumNetworkPolicy",
      "monitoring.coreos.com/v1/PodMonitor",
      "networking.k8s.io/v1/NetworkPolicy",
    ])
      expect(kinds, kind).toContain(kind)
  })

  it("every Dapr Component's metadata against components-contrib for its type (Kafka and Redis)", () => {
    const components = renders.flatMap(([name, docs]) =>
      docs.filter((d) => d.kind === "Component").map((d) => [name, d as DaprComponent] as const),
    )
    expect(new Set(components.map(([, c]) => c.spec.type))).toEqual(new Set(["pubsub.kafka", "pubsub.redis"]))
    const errors = components.flatMap(([name, c]) => componentMetadataErrors(c).map((e) => `${name}: ${e}`))
    expect(errors).toEqual([])
  })
})
