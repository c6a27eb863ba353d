// The rendered NetworkPolicies (and, on DOKS, the CiliumNetworkPolicies for the Gateway's proxy) against the
// connections the system needs and the ones nobody else may open: Jaeger's UI and OTLP, the apps' /metrics,
// the agent's delivery port and the sidecars' APIs were open to every pod in the cluster before.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Flow, NetworkModel, type Peer, type Pod, releasePods } from "./netpol.ts"
import {
  chartDir,
  findHelm,
  guideValuesFile,
  guideSampleEnv,
  helmMissingReason,
  helmTemplate,
  type K8sObject,
} from "./support.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)

const pod = (
  namespace: string,
  labels: Record<string, string> = {},
  ports: Record<string, number> = {},
): Pod => ({
  kind: "pod",
  name: `${namespace}-pod`,
  namespace,
  labels,
  ports,
})
const ip = (address: string): Peer => ({ kind: "ip", ip: address })
const gatewayProxy: Peer = { kind: "entity", entity: "ingress" } // Cilium's Gateway/Ingress Envoy

const stranger = pod("other", { app: "anything" }) // any pod of any other namespace
const neighbour = pod("todo", { app: "not-the-release" }) // e.g. cert-manager's HTTP-01 solver
const kubeDns = pod("kube-system", { "k8s-app": "kube-dns" })
const sentry = pod("dapr-system", { app: "dapr-sentry" })
const operator = pod("dapr-system", { app: "dapr-operator" })
const scheduler = pod("dapr-system", { app: "dapr-scheduler-server" })
const nginxController = pod("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" })
const prometheus = pod("monitoring", { app: "prometheus" })
const neon = ip("3.125.10.20")
const openai = ip("104.18.7.192")
const kafkaBroker = ip("10.110.0.7") // inside the guide's sample VPC range
const privateHost = ip("10.0.0.5")
const kafkaPort = Number(guideSampleEnv.KAFKA_PORT)

type Case = readonly [string, Flow]

describe.skipIf(helm === undefined)("network policies", () => {
  const h = helm ?? "helm"
  let tmp = ""
  let doks: K8sObject[] = []
  let local: K8sObject[] = []
  let monitored: K8sObject[] = []
  let adminDoks: K8sObject[] = []
  let adminLocal: K8sObject[] = []

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "todo-netpol-"))
    const doksArgs = ["-f", join(chartDir, "values-doks.yaml"), "-f", guideValuesFile(tmp)]
    doks = helmTemplate(h, doksArgs)
    local = helmTemplate(h, [])
    monitored = helmTemplate(h, [...doksArgs, "--set", "networkPolicy.monitoringNamespaces={monitoring}"])
    const admin = ["--set", "adminJob.enabled=true,adminJob.command=list"]
    adminDoks = helmTemplate(h, [...doksArgs, ...admin])
    adminLocal = helmTemplate(h, admin)
  })
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
  })

  const check = (objects: K8sObject[], allowed: Case[], denied: Case[]) => {
    const model = new NetworkModel(objects, "todo")
    const wrong = [
      ...allowed.filter(([, f]) => !model.allowed(f)).map(([name]) => `should be allowed: ${name}`),
      ...denied.filter(([, f]) => model.allowed(f)).map(([name]) => `should be denied: ${name}`),
    ]
    expect(wrong).toEqual([])
  }

  it("a default deny covers every pod of the release, both directions, and nothing outside it", () => {
    for (const docs of [doks, local]) {
      const deny = docs.find((d) => d.metadata.name === "todo-default-deny") as K8sObject & {
        spec: { podSelector: unknown; policyTypes: string[]; ingress?: unknown; egress?: unknown }
      }
      expect(deny.spec).toEqual({
        podSelector: {
          matchLabels: { "app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "todo" },
        },
        policyTypes: ["Ingress", "Egress"],
      })
      for (const p of releasePods(docs, "todo").values())
        expect(p.labels, p.name).toMatchObject({
          "app.kubernetes.io/name": "todo-app",
          "app.kubernetes.io/instance": "todo",
        })
    }
  })

  it("DOKS: the gateway reaches web and api; the apps reach DNS, the Dapr control plane, Kafka, Neon and OpenAI", () => {
    const p = releasePods(doks, "todo")
    const [web, api, agent, migrations] = ["web", "api", "agent", "migrations"].map((c) => p.get(c) as Pod)
    const allowed: Case[] = [
      ["gateway proxy -> web:8080", { from: gatewayProxy, to: web as Pod, port: 8080 }],
      ["gateway proxy -> api:4000", { from: gatewayProxy, to: api as Pod, port: 4000 }],
      ["api -> kube-dns:53/udp", { from: api as Pod, to: kubeDns, port: 53, protocol: "UDP" }],
      [
        "agent -> node-local DNS 169.254.20.10:53/udp",
        { from: agent as Pod, to: ip("169.254.20.10"), port: 53, protocol: "UDP" },
      ],
      ["migrations -> kube-dns:53/tcp", { from: migrations as Pod, to: kubeDns, port: 53 }],
      ["api sidecar -> dapr-sentry:50001", { from: api as Pod, to: sentry, port: 50001 }],
      ["agent sidecar -> dapr-operator:6500", { from: agent as Pod, to: operator, port: 6500 }],
      ["agent sidecar -> dapr-scheduler:50006", { from: agent as Pod, to: scheduler, port: 50006 }],
      ["api sidecar -> Kafka broker (VPC)", { from: api as Pod, to: kafkaBroker, port: kafkaPort }],
      ["agent sidecar -> Kafka broker (VPC)", { from: agent as Pod, to: kafkaBroker, port: kafkaPort }],
      ["api -> Neon:5432", { from: api as Pod, to: neon, port: 5432 }],
      ["agent -> Neon:5432", { from: agent as Pod, to: neon, port: 5432 }],
      ["migrations -> Neon:5432", { from: migrations as Pod, to: neon, port: 5432 }],
      ["api -> OpenAI:443", { from: api as Pod, to: openai, port: 443 }],
      ["agent -> OpenAI:443", { from: agent as Pod, to: openai, port: 443 }],
    ]
    const denied: Case[] = [
      ["other namespace -> api:4000 (/metrics)", { from: stranger, to: api as Pod, port: 4000 }],
      ["other namespace -> web:8080", { from: stranger, to: web as Pod, port: 8080 }],
      ["other namespace -> agent:5000 (deliveries)", { from: stranger, to: agent as Pod, port: 5000 }],
      ["other namespace -> agent sidecar metrics:9090", { from: stranger, to: agent as Pod, port: 9090 }],
      ["other namespace -> api sidecar HTTP API:3500", { from: stranger, to: api as Pod, port: 3500 }],
      ["same namespace, not the release -> api:4000", { from: neighbour, to: api as Pod, port: 4000 }],
      ["gateway proxy -> agent:5000", { from: gatewayProxy, to: agent as Pod, port: 5000 }],
      ["gateway proxy -> api sidecar:3500", { from: gatewayProxy, to: api as Pod, port: 3500 }],
      ["api -> Kafka VPC address on another port", { from: api as Pod, to: kafkaBroker, port: 22 }],
      ["api -> a private address:5432", { from: api as Pod, to: privateHost, port: 5432 }],
      ["api -> Neon:22", { from: api as Pod, to: neon, port: 22 }],
      ["api -> a pod of another namespace:80", { from: api as Pod, to: stranger, port: 80 }],
      ["web -> the internet:443", { from: web as Pod, to: openai, port: 443 }],
      ["web -> DNS", { from: web as Pod, to: kubeDns, port: 53, protocol: "UDP" }],
      ["migrations -> OpenAI:443", { from: migrations as Pod, to: openai, port: 443 }],
      ["migrations -> Kafka", { from: migrations as Pod, to: kafkaBroker, port: kafkaPort }],
    ]
    check(doks, allowed, denied)
    // Pods outside the release (cert-manager's solver) keep working: the policies do not select them.
    check(
      doks,
      [["gateway proxy -> a non-release pod", { from: gatewayProxy, to: neighbour, port: 8089 }]],
      [],
    )
  })

  it("locally: the ingress controller reaches web and api; Jaeger, PostgreSQL and Redis only from the release", () => {
    const p = releasePods(local, "todo")
    const [web, api, agent, migrations, jaeger, postgres, redis] = [
      "web",
      "api",
      "agent",
      "migrations",
      "jaeger",
      "postgres",
      "redis",
    ].map((c) => p.get(c) as Pod)
    const allowed: Case[] = [
      ["ingress-nginx -> web:8080", { from: nginxController, to: web as Pod, port: 8080 }],
      ["ingress-nginx -> api:4000", { from: nginxController, to: api as Pod, port: 4000 }],
      ["api -> jaeger OTLP/HTTP 4318", { from: api as Pod, to: jaeger as Pod, port: 4318 }],
      ["agent sidecar -> jaeger OTLP/gRPC 4317", { from: agent as Pod, to: jaeger as Pod, port: 4317 }],
      ["api -> postgres:5432", { from: api as Pod, to: postgres as Pod, port: 5432 }],
      ["migrations -> postgres:5432", { from: migrations as Pod, to: postgres as Pod, port: 5432 }],
      ["agent sidecar -> redis:6379", { from: agent as Pod, to: redis as Pod, port: 6379 }],
    ]
    const denied: Case[] = [
      ["other namespace -> jaeger UI:16686", { from: stranger, to: jaeger as Pod, port: 16686 }],
      ["other namespace -> jaeger OTLP:4317", { from: stranger, to: jaeger as Pod, port: 4317 }],
      ["api -> jaeger UI:16686", { from: api as Pod, to: jaeger as Pod, port: 16686 }],
      ["other namespace -> postgres:5432", { from: stranger, to: postgres as Pod, port: 5432 }],
      ["web -> postgres:5432", { from: web as Pod, to: postgres as Pod, port: 5432 }],
      ["jaeger -> postgres:5432", { from: jaeger as Pod, to: postgres as Pod, port: 5432 }],
      ["other namespace -> redis:6379", { from: stranger, to: redis as Pod, port: 6379 }],
      ["ingress-nginx -> agent:5000", { from: nginxController, to: agent as Pod, port: 5000 }],
      ["ingress-nginx -> jaeger:16686", { from: nginxController, to: jaeger as Pod, port: 16686 }],
    ]
    check(local, allowed, denied)
  })

  it("a monitoring namespace, once named, scrapes the apps and their sidecars, and nothing else", () => {
    const p = releasePods(monitored, "todo")
    const [web, api, agent] = ["web", "api", "agent"].map((c) => p.get(c) as Pod)
    check(
      monitored,
      [
        ["prometheus -> api /metrics:4000", { from: prometheus, to: api as Pod, port: 4000 }],
        ["prometheus -> agent /metrics:5000", { from: prometheus, to: agent as Pod, port: 5000 }],
        ["prometheus -> api daprd metrics:9090", { from: prometheus, to: api as Pod, port: 9090 }],
      ],
      [
        ["prometheus -> web:8080", { from: prometheus, to: web as Pod, port: 8080 }],
        ["prometheus -> api sidecar API:3500", { from: prometheus, to: api as Pod, port: 3500 }],
        ["other namespace -> agent:9090", { from: stranger, to: agent as Pod, port: 9090 }],
      ],
    )
  })

  it("the admin Job reaches DNS and the database (Neon, or the chart's PostgreSQL), nothing else", () => {
    const doksAdmin = releasePods(adminDoks, "todo").get("admin") as Pod
    expect(doksAdmin.labels["app.kubernetes.io/component"]).toBe("admin")
    check(
      adminDoks,
      [
        ["admin -> kube-dns:53/udp", { from: doksAdmin, to: kubeDns, port: 53, protocol: "UDP" }],
        ["admin -> kube-dns:53/tcp", { from: doksAdmin, to: kubeDns, port: 53 }],
        ["admin -> Neon:5432", { from: doksAdmin, to: neon, port: 5432 }],
      ],
      [
        ["admin -> OpenAI:443", { from: doksAdmin, to: openai, port: 443 }],
        ["admin -> Kafka", { from: doksAdmin, to: kafkaBroker, port: kafkaPort }],
        ["admin -> a private address:5432", { from: doksAdmin, to: privateHost, port: 5432 }],
        ["admin -> dapr-sentry:50001", { from: doksAdmin, to: sentry, port: 50001 }],
        ["other namespace -> admin:4000", { from: stranger, to: doksAdmin, port: 4000 }],
      ],
    )
    const p = releasePods(adminLocal, "todo")
    const [admin, postgres, redis, jaeger] = ["admin", "postgres", "redis", "jaeger"].map(
      (c) => p.get(c) as Pod,
    )
    check(
      adminLocal,
      [
        ["admin -> kube-dns:53/udp", { from: admin as Pod, to: kubeDns, port: 53, protocol: "UDP" }],
        ["admin -> postgres:5432", { from: admin as Pod, to: postgres as Pod, port: 5432 }],
      ],
      [
        ["admin -> redis:6379", { from: admin as Pod, to: redis as Pod, port: 6379 }],
        ["admin -> jaeger OTLP:4318", { from: admin as Pod, to: jaeger as Pod, port: 4318 }],
      ],
    )
  })

  it("the model is not vacuous: without the policies every flow above is open, without the Cilium policy the gateway is shut out", () => {
    const p = releasePods(doks, "todo")
    const api = p.get("api") as Pod
    const web = p.get("web") as Pod
    const open = new NetworkModel(
      doks.filter((d) => d.kind !== "NetworkPolicy" && d.kind !== "CiliumNetworkPolicy"),
      "todo",
    )
    expect(open.allowed({ from: stranger, to: api, port: 4000 })).toBe(true)
    expect(open.allowed({ from: api, to: privateHost, port: 5432 })).toBe(true)
    const noCilium = new NetworkModel(
      doks.filter((d) => d.kind !== "CiliumNetworkPolicy"),
      "todo",
    )
    expect(noCilium.allowed({ from: gatewayProxy, to: web, port: 8080 })).toBe(false)
  })

  it("refuses a Kafka render that would leave the sidecars without a way to the brokers", () => {
    expect(() => helmTemplate(h, ["-f", join(chartDir, "values-doks.yaml")])).toThrow(
      /networkPolicy\.egress\.kafka: set cidrs .* and ports/,
    )
  })
})
