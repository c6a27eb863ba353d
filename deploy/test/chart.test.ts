// The Helm chart deploy/helm/todo-app: lint, render with each values file, and assert on the
// manifests. helm is called a few times only (each render once, reused by every assertion).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stringify } from "yaml"
import {
  AGENT,
  API,
  expectKafkaComponent,
  expectResiliency,
  expectTopicAcls,
  expectTracing,
} from "./dapr-expectations.ts"
import {
  allContainers,
  byKind,
  type Container,
  chartDir,
  type DaprComponent,
  type Deployment,
  find,
  findHelm,
  type Hpa,
  helmMissingReason,
  helmTemplate,
  type Ingress,
  type Job,
  type K8sObject,
  metadataMap,
  parseDocuments,
  type Pdb,
  parseYamlFile,
  podTemplates,
  type Resiliency,
  runHelm,
  type Service,
  guideValuesFile,
  helmTemplateRaw,
  kubeVersion,
  type TracingConfiguration,
} from "./support.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)

const LOCAL = "-f deploy/helm/todo-app/values.yaml (defaults)"
const DOKS = "values-doks.yaml + the guide's my-values.yaml"
// values-doks.yaml plus the values file docs/deploy-doks.md has the operator write (set in beforeAll).
const doksArgs: string[] = []

/** Credentials whose values must only ever be in Secrets. */
const SECRET_ENV = ["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "DAPR_API_TOKEN", "APP_API_TOKEN"]
const SECRET_WORDS = /PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL|CA_?CERT|SASL/i

/** Distinctive values given to every credential in the "sentinel" render. */
const sentinels = {
  "secrets.databaseUrl": "postgres://todo:Sentinel-Db-Pw-1a2b@db.example.neon.tech/todo?sslmode=require",
  "secrets.betterAuthSecret": "Sentinel-Auth-Secret-0123456789abcdefghijklmnop",
  "secrets.openaiApiKey": "sk-Sentinel-OpenAI-Key-3c4d",
  "secrets.daprApiToken.token": "Sentinel-Dapr-Api-Token-5e6f",
  "secrets.appApiToken.token": "Sentinel-App-Api-Token-7a8b",
  "secrets.kafka.brokers": "sentinel-kafka-do-user-0.db.ondigitalocean.com:25073",
  "secrets.kafka.username": "sentinel-kafka-user",
  "secrets.kafka.password": "Sentinel-Kafka-Pw-9c0d",
  "secrets.kafka.caCert": "-----BEGIN CERTIFICATE-----SentinelCa-----END CERTIFICATE-----",
}

describe.skipIf(helm === undefined)("helm chart todo-app", () => {
  const h = helm ?? "helm"
  let local: K8sObject[] = []
  let doks: K8sObject[] = []
  let sentinel: K8sObject[] = []
  let adminLocal: K8sObject[] = []
  let adminDoks: K8sObject[] = []
  let tmp = ""

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "todo-chart-"))
    doksArgs.push("-f", join(chartDir, "values-doks.yaml"), "-f", guideValuesFile(tmp))
    local = helmTemplate(h, [])
    doks = helmTemplate(h, doksArgs)
    sentinel = helmTemplate(h, [
      "--set",
      "postgres.enabled=false,redis.enabled=false,dapr.pubsub.type=kafka",
      "--set",
      "networkPolicy.egress.kafka.cidrs={10.110.0.0/20},networkPolicy.egress.kafka.ports={25073}",
      ...Object.entries(sentinels).flatMap(([k, v]) => ["--set-string", `${k}=${v}`]),
    ])
  })
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
  })
  const ADMIN = ["--set", "adminJob.enabled=true,adminJob.command=grant,adminJob.email=ops@example.com"]
  beforeAll(() => {
    adminLocal = helmTemplate(h, ADMIN)
    adminDoks = helmTemplate(h, [...doksArgs, ...ADMIN])
  })

  const renders = (): Array<[string, K8sObject[]]> => [
    [LOCAL, local],
    [DOKS, doks],
    ["sentinel secrets", sentinel],
    [`${LOCAL} with the admin Job`, adminLocal],
    [`${DOKS} with the admin Job`, adminDoks],
  ]

  describe("lint and render", () => {
    it("Chart.yaml is todo-app 2.1.0 and refuses a Kubernetes older than the features it uses", () => {
      const chart = parseYamlFile<{
        name: string
        version: string
        apiVersion: string
        kubeVersion?: string
      }>(join(chartDir, "Chart.yaml"))
      expect(chart).toMatchObject({ apiVersion: "v2", name: "todo-app", version: "2.1.0" })
      // autoscaling/v2 ContainerResource (the HPAs) is GA from 1.30.
      expect(chart.kubeVersion).toBe(">=1.30.0-0")
      const old = runHelm(h, ["template", "todo", chartDir, "--kube-version", "1.29.9"])
      expect(old.status).not.toBe(0)
      expect(old.stderr).toContain("chart requires kubeVersion: >=1.30.0-0")
      for (const ok of ["1.30.0", kubeVersion])
        expect(runHelm(h, ["template", "todo", chartDir, "--kube-version", ok]).status, ok).toBe(0)
    })

    it.each([
      ["values.yaml", () => [] as string[]],
      ["values-doks.yaml + my-values.yaml", () => doksArgs],
    ])("helm lint --strict passes with %s", (_name, argsOf) => {
      const args = argsOf()
      const r = runHelm(h, ["lint", "--strict", chartDir, ...args])
      expect(r.stderr + r.stdout).toContain("1 chart(s) linted, 0 chart(s) failed")
      expect(r.status).toBe(0)
    })

    it("renders the expected objects with values.yaml (local cluster)", () => {
      expect(local.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(
        [
          "ConfigMap/todo-config",
          "Component/pubsub-kafka",
          "Configuration/todo-tracing",
          "Deployment/todo-agent",
          "Deployment/todo-api",
          "Deployment/todo-jaeger",
          "Deployment/todo-postgres",
          "Deployment/todo-redis",
          "Deployment/todo-web",
          "Ingress/todo",
          "Job/todo-migrate-1",
          "NetworkPolicy/todo-api-from-ingress",
          "NetworkPolicy/todo-apps-egress",
          "NetworkPolicy/todo-default-deny",
          "NetworkPolicy/todo-dns",
          "NetworkPolicy/todo-jaeger-ingress",
          "NetworkPolicy/todo-jobs-egress",
          "NetworkPolicy/todo-postgres-ingress",
          "NetworkPolicy/todo-redis-ingress",
          "NetworkPolicy/todo-web-from-ingress",
          "Resiliency/todo-resiliency",
          "Secret/todo-app-api-token",
          "Secret/todo-dapr-api-token",
          "Secret/todo-secrets",
          "Service/todo-agent",
          "Service/todo-api",
          "Service/todo-jaeger",
          "Service/todo-postgres",
          "Service/todo-redis",
          "Service/todo-web",
          ...["agent", "api", "jaeger", "migrations", "postgres", "redis", "web"].map(
            (c) => `ServiceAccount/todo-${c}`,
          ),
        ].sort(),
      )
    })

    it("renders the expected objects for DOKS (no Secret: all credentials pre-created; Gateway, no Jaeger)", () => {
      expect(doks.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(
        [
          "CiliumNetworkPolicy/todo-api-from-gateway",
          "CiliumNetworkPolicy/todo-web-from-gateway",
          "ConfigMap/todo-config",
          "Component/pubsub-kafka",
          "Configuration/todo-tracing",
          "Deployment/todo-agent",
          "Deployment/todo-api",
          "Deployment/todo-web",
          "Gateway/todo",
          "HTTPRoute/todo",
          "HTTPRoute/todo-https-redirect",
          "HorizontalPodAutoscaler/todo-agent",
          "HorizontalPodAutoscaler/todo-api",
          "Job/todo-migrate",
          "NetworkPolicy/todo-apps-egress",
          "NetworkPolicy/todo-default-deny",
          "NetworkPolicy/todo-dns",
          "NetworkPolicy/todo-jobs-egress",
          "PodDisruptionBudget/todo-agent",
          "PodDisruptionBudget/todo-api",
          "PodDisruptionBudget/todo-web",
          "Resiliency/todo-resiliency",
          "Service/todo-agent",
          "Service/todo-api",
          "Service/todo-web",
          ...["agent", "api", "migrations", "web"].map((c) => `ServiceAccount/todo-${c}`),
        ].sort(),
      )
    })

    it("every rendered object has apiVersion, kind and a DNS-safe name", () => {
      for (const [name, docs] of renders()) {
        for (const d of docs) {
          expect(d.apiVersion, name).toMatch(/\S/)
          expect(d.metadata.name, `${name} ${d.kind}`).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
        }
      }
    })
  })

  describe("values.schema.json", () => {
    const expectRejected = (args: string[], message: string) => {
      const r = helmTemplateRaw(h, args)
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain(message)
    }

    it("rejects a misspelt top-level key given with --set", () => {
      expectRejected(["--set", "replicaCuont=2"], "additional properties 'replicaCuont' not allowed")
    })

    it("rejects a misspelt nested key in a values file", () => {
      const file = join(tmp, "typo.yaml")
      writeFileSync(file, stringify({ api: { autoscaling: { enabled: true, maxReplica: 4 } } }))
      expectRejected(["-f", file], "additional properties 'maxReplica' not allowed")
    })

    it("rejects the latest tag and a SASL mechanism Dapr would silently downgrade", () => {
      expectRejected(
        ["--set", "image.tag=latest", "--set", "dapr.pubsub.kafka.saslMechanism=SCRAM-SHA-256"],
        "saslMechanism",
      )
      expectRejected(["--set", "image.tag=latest"], "/image/tag")
    })

    it("passes the session cache's TTL to the apps through the ConfigMap, and refuses a negative one", () => {
      type ConfigMap = K8sObject & { data: Record<string, string> }
      expect(find<ConfigMap>(local, "ConfigMap", "todo-config").data.AUTH_SESSION_CACHE_MS).toBe("5000")
      const off = helmTemplate(h, ["--set", "config.authSessionCacheMs=0"])
      expect(find<ConfigMap>(off, "ConfigMap", "todo-config").data.AUTH_SESSION_CACHE_MS).toBe("0")
      expectRejected(["--set", "config.authSessionCacheMs=-1"], "authSessionCacheMs")
    })

    it("sets additionalProperties: false on every object that lists properties", () => {
      interface Schema {
        type?: string | string[]
        properties?: Record<string, Schema>
        additionalProperties?: boolean | Schema
        items?: Schema
      }
      const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8")) as Schema
      const open: string[] = []
      const walk = (s: Schema, path: string) => {
        if (s.properties !== undefined) {
          if (s.additionalProperties !== false) open.push(path || "(root)")
          for (const [k, v] of Object.entries(s.properties)) walk(v, `${path}.${k}`)
        }
        if (s.items !== undefined) walk(s.items, `${path}[]`)
      }
      walk(schema, "")
      expect(open).toEqual([])
    })
  })

  describe("workloads", () => {
    const deployment = (docs: K8sObject[], name: string) => find<Deployment>(docs, "Deployment", name)

    it("api and agent carry the Dapr annotations; the agent also the app token", () => {
      for (const [name, docs] of [
        [LOCAL, local],
        [DOKS, doks],
      ] as const) {
        for (const [component, appId, port] of [
          ["api", API, "4000"],
          ["agent", AGENT, "5000"],
        ] as const) {
          const a = deployment(docs, `todo-${component}`).spec.template.metadata.annotations ?? {}
          const where = `${name} ${component}`
          expect(a["dapr.io/enabled"], where).toBe("true")
          expect(a["dapr.io/app-id"], where).toBe(appId)
          expect(a["dapr.io/app-port"], where).toBe(port)
          expect(a["dapr.io/config"], where).toBe("todo-tracing")
          expect(a["dapr.io/log-as-json"], where).toBe("true")
          expect(a["dapr.io/enable-metrics"], where).toBe("true")
          expect(a["dapr.io/api-token-secret"], where).toBe("todo-dapr-api-token")
          expect(a["dapr.io/app-token-secret"], where).toBe(
            component === "agent" ? "todo-app-api-token" : undefined,
          )
          for (const key of ["cpu-request", "cpu-limit", "memory-request", "memory-limit"]) {
            expect(a[`dapr.io/sidecar-${key}`], `${where} ${key}`).toMatch(/^\d+(m|Mi)$/)
          }
          // Component secrets come from the Dapr operator; the sidecar needs no Kubernetes API access.
          expect(a["dapr.io/disable-builtin-k8s-secret-store"], where).toBe("true")
        }
      }
    })

    it("the sidecars outlive the apps' drain and finish within the pods' grace period", () => {
      for (const [name, docs] of renders()) {
        for (const component of ["api", "agent"]) {
          const template = deployment(docs, `todo-${component}`).spec.template
          const a = template.metadata.annotations ?? {}
          const where = `${name} ${component}`
          // The sidecar stops delivering at SIGTERM but serves the app (the api's last publishes) until the
          // app's /health fails or the block ends; the app health check is what ends the block early.
          const block = /^(\d+)s$/.exec(a["dapr.io/block-shutdown-duration"] ?? "")
          expect(block, where).not.toBeNull()
          expect(a["dapr.io/enable-app-health-check"], where).toBe("true")
          expect(a["dapr.io/app-health-check-path"], where).toBe("/health")
          const preStop = (
            template.spec.containers[0] as Container & {
              lifecycle?: { preStop?: { exec?: { command: string[] } } }
            }
          ).lifecycle?.preStop?.exec?.command
          expect(preStop, where).toEqual(["sleep", "5"])
          const blockSeconds = Number(block?.[1])
          const graceful = Number(a["dapr.io/graceful-shutdown-seconds"])
          expect(blockSeconds, where).toBeGreaterThan(5)
          const grace = (template.spec as { terminationGracePeriodSeconds?: number })
            .terminationGracePeriodSeconds
          expect(grace, where).toBeGreaterThan(blockSeconds + graceful)
        }
      }
    })

    it("each component runs under its own ServiceAccount, with no API token mounted", () => {
      for (const [name, docs] of renders()) {
        const accounts = new Map(byKind(docs, "ServiceAccount").map((sa) => [sa.metadata.name, sa]))
        for (const { owner, template } of podTemplates(docs)) {
          const spec = template.spec as {
            serviceAccountName?: string
            automountServiceAccountToken?: boolean
          }
          const where = `${name} ${owner}`
          expect(spec.serviceAccountName, where).toBe(
            `todo-${template.metadata.labels?.["app.kubernetes.io/component"]}`,
          )
          expect(spec.automountServiceAccountToken, where).toBe(false)
          const sa = accounts.get(spec.serviceAccountName ?? "") as
            | (K8sObject & { automountServiceAccountToken?: boolean })
            | undefined
          expect(sa, `${where}: ServiceAccount ${spec.serviceAccountName} is rendered`).toBeDefined()
          expect(sa?.automountServiceAccountToken, where).toBe(false)
        }
      }
      // The hook Job's account exists before the hook runs.
      expect(find(doks, "ServiceAccount", "todo-migrations").metadata.annotations).toEqual({
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "-10",
        "helm.sh/hook-delete-policy": "before-hook-creation",
      })
    })

    it("only api and agent have Dapr annotations", () => {
      for (const [name, docs] of renders()) {
        for (const { owner, template } of podTemplates(docs)) {
          const daprKeys = Object.keys(template.metadata.annotations ?? {}).filter((k) =>
            k.startsWith("dapr.io/"),
          )
          const isApp = owner === "Deployment/todo-api" || owner === "Deployment/todo-agent"
          expect(daprKeys.length > 0, `${name} ${owner}`).toBe(isApp)
        }
      }
      expect(deployment(doks, "todo-web").spec.template.metadata.annotations ?? {}).toEqual({})
    })

    it("every long-running container has startup, liveness and readiness probes on the right paths", () => {
      const paths = (c: Container) =>
        [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet?.path)
      for (const [name, docs] of renders()) {
        for (const d of byKind<Deployment>(docs, "Deployment")) {
          for (const c of d.spec.template.spec.containers) {
            const where = `${name} ${d.metadata.name}/${c.name}`
            expect(c.startupProbe, where).toBeDefined()
            expect(c.livenessProbe, where).toBeDefined()
            expect(c.readinessProbe, where).toBeDefined()
          }
        }
        expect(paths(deployment(docs, "todo-api").spec.template.spec.containers[0] as Container)).toEqual([
          "/health",
          "/health",
          "/ready",
        ])
        expect(paths(deployment(docs, "todo-agent").spec.template.spec.containers[0] as Container)).toEqual([
          "/health",
          "/health",
          "/ready",
        ])
        expect(paths(deployment(docs, "todo-web").spec.template.spec.containers[0] as Container)).toEqual([
          "/healthz",
          "/healthz",
          "/healthz",
        ])
      }
    })

    it("every container (init and Job containers too) has CPU and memory requests and limits", () => {
      for (const [name, docs] of renders()) {
        for (const { owner, container } of allContainers(docs)) {
          const r = container.resources
          const where = `${name} ${owner}/${container.name}`
          expect(r?.requests?.cpu, where).toBeDefined()
          expect(r?.requests?.memory, where).toBeDefined()
          expect(r?.limits?.cpu, where).toBeDefined()
          expect(r?.limits?.memory, where).toBeDefined()
        }
      }
    })

    it("every pod and container runs with the restricted security context and a writable /tmp only", () => {
      for (const [name, docs] of renders()) {
        for (const { owner, template } of podTemplates(docs)) {
          const pod = template.spec.securityContext
          expect(pod?.runAsNonRoot, `${name} ${owner}`).toBe(true)
          expect(pod?.seccompProfile, `${name} ${owner}`).toEqual({ type: "RuntimeDefault" })
          expect(pod?.runAsUser, `${name} ${owner}`).toBeGreaterThan(0)
        }
        for (const { owner, container } of allContainers(docs)) {
          const where = `${name} ${owner}/${container.name}`
          expect(container.securityContext, where).toMatchObject({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            privileged: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          })
          expect(container.securityContext?.capabilities?.add, where).toBeUndefined()
          expect(container.securityContext?.runAsUser, where).toBeGreaterThan(0)
        }
        for (const app of ["todo-api", "todo-agent", "todo-web"]) {
          const spec = deployment(docs, app).spec.template.spec
          expect(spec.containers[0]?.volumeMounts, `${name} ${app}`).toEqual([
            { name: "tmp", mountPath: "/tmp" },
          ])
          expect(spec.volumes?.find((v) => v.name === "tmp")?.emptyDir, `${name} ${app}`).toBeDefined()
        }
      }
    })

    it("rolls web, api and agent with maxUnavailable 0", () => {
      for (const [name, docs] of renders()) {
        for (const app of ["todo-web", "todo-api", "todo-agent"]) {
          const s = deployment(docs, app).spec.strategy
          expect(s, `${name} ${app}`).toEqual({
            type: "RollingUpdate",
            rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
          })
        }
      }
    })

    it("services select their deployments' pods and target the named port", () => {
      for (const [name, docs] of renders()) {
        for (const [app, port] of [
          ["todo-web", 80],
          ["todo-api", 4000],
          ["todo-agent", 5000],
        ] as const) {
          const svc = find<Service>(docs, "Service", app)
          const d = deployment(docs, app)
          expect(svc.spec.selector, `${name} ${app}`).toEqual(d.spec.selector.matchLabels)
          expect(svc.spec.ports, `${name} ${app}`).toEqual([
            { name: "http", port, targetPort: "http", protocol: "TCP" },
          ])
          expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels)
        }
      }
    })
  })

  describe("secrets", () => {
    it("secret env vars come from secretKeyRef only, never as plain values or from the ConfigMap", () => {
      for (const [name, docs] of renders()) {
        for (const cm of byKind(docs, "ConfigMap")) {
          for (const key of Object.keys(cm.data ?? {})) {
            expect(SECRET_ENV, `${name} ConfigMap key ${key}`).not.toContain(key)
            expect(key, `${name} ConfigMap key`).not.toMatch(SECRET_WORDS)
          }
        }
        for (const { owner, container } of allContainers(docs)) {
          for (const env of container.env ?? []) {
            if (env.value !== undefined) {
              expect(env.name, `${name} ${owner}/${container.name}`).not.toMatch(SECRET_WORDS)
            }
            if (SECRET_ENV.includes(env.name)) {
              expect(env.valueFrom?.secretKeyRef, `${name} ${owner} ${env.name}`).toBeDefined()
            }
          }
          for (const from of container.envFrom ?? []) {
            if (from.configMapRef !== undefined) expect(from.configMapRef.name).toBe("todo-config")
          }
        }
      }
    })

    it("the api and agent read exactly these secret keys", () => {
      const refs = (docs: K8sObject[], app: string) =>
        Object.fromEntries(
          (find<Deployment>(docs, "Deployment", app).spec.template.spec.containers[0]?.env ?? [])
            .filter((e) => e.valueFrom?.secretKeyRef !== undefined)
            .map((e) => [e.name, e.valueFrom?.secretKeyRef]),
        )
      const common = {
        DATABASE_URL: { name: "todo-secrets", key: "DATABASE_URL" },
        BETTER_AUTH_SECRET: { name: "todo-secrets", key: "BETTER_AUTH_SECRET" },
        OPENAI_API_KEY: { name: "todo-secrets", key: "OPENAI_API_KEY", optional: true },
        DAPR_API_TOKEN: { name: "todo-dapr-api-token", key: "token" },
      }
      expect(refs(doks, "todo-api")).toEqual(common)
      expect(refs(doks, "todo-agent")).toEqual({
        ...common,
        APP_API_TOKEN: { name: "todo-app-api-token", key: "token" },
      })
    })

    it("no credential value appears outside a Secret object", () => {
      const secretsText = byKind(sentinel, "Secret")
        .flatMap((s) => Object.values(s.data ?? {}))
        .map((v) => Buffer.from(v, "base64").toString("utf8"))
        .join("\n")
      for (const value of Object.values(sentinels)) {
        expect(secretsText, value).toContain(value)
        for (const doc of sentinel.filter((d) => d.kind !== "Secret")) {
          expect(JSON.stringify(doc), `${doc.kind}/${doc.metadata.name} leaks ${value}`).not.toContain(value)
        }
      }
      expect(
        byKind(sentinel, "Secret")
          .map((s) => [s.metadata.name, Object.keys(s.data ?? {}).sort()])
          .sort(),
      ).toEqual([
        ["todo-app-api-token", ["token"]],
        ["todo-dapr-api-token", ["token"]],
        ["todo-kafka", ["brokers", "ca.crt", "password", "username"]],
        ["todo-secrets", ["BETTER_AUTH_SECRET", "DATABASE_URL", "OPENAI_API_KEY"]],
      ])
    })

    it("refuses Kafka credentials with surrounding whitespace (a file's trailing newline) before anything is applied", () => {
      const base = [
        "--set",
        "postgres.enabled=false,redis.enabled=false,dapr.pubsub.type=kafka",
        "--set",
        "networkPolicy.egress.kafka.cidrs={10.110.0.0/20},networkPolicy.egress.kafka.ports={25073}",
        ...Object.entries(sentinels).flatMap(([k, v]) => ["--set-string", `${k}=${v}`]),
      ]
      expect(helmTemplateRaw(h, base).status).toBe(0)
      for (const key of ["brokers", "username", "password"]) {
        for (const bad of [`${sentinels[`secrets.kafka.${key}` as keyof typeof sentinels]}\n`, ` x`, "\tx"]) {
          const r = helmTemplateRaw(h, [...base, "--set-string", `secrets.kafka.${key}=${bad}`])
          expect(r.status, `${key}=${JSON.stringify(bad)}`).not.toBe(0)
          expect(r.stderr).toContain(
            `Secret todo-kafka, key ${key}: the value has leading or trailing whitespace`,
          )
        }
      }
    })

    it("the chart generates the auth secret and tokens when none are given (>= 32 characters)", () => {
      const secret = find(local, "Secret", "todo-secrets")
      const decoded = (s: K8sObject, k: string) => Buffer.from(s.data?.[k] ?? "", "base64").toString("utf8")
      expect(decoded(secret, "BETTER_AUTH_SECRET").length).toBeGreaterThanOrEqual(32)
      expect(decoded(secret, "DATABASE_URL")).toMatch(
        /^postgres:\/\/todo:[A-Za-z0-9]{32}@todo-postgres\.todo\.svc/,
      )
      expect(decoded(find(local, "Secret", "todo-dapr-api-token"), "token")).toHaveLength(40)
      expect(decoded(find(local, "Secret", "todo-app-api-token"), "token")).toHaveLength(40)
    })
  })

  describe("images", () => {
    it("DOKS images come from DOCR, pinned to a version tag", () => {
      const images = allContainers(doks).map(({ container }) => container.image)
      expect(images.length).toBeGreaterThanOrEqual(4)
      for (const image of images) {
        const m = /^(.+):([^:/@]+)(@sha256:[a-f0-9]{64})?$/.exec(image)
        expect(m, `${image} has no tag`).not.toBeNull()
        expect(m?.[2], image).not.toBe("latest")
        expect(m?.[2], image).toMatch(/\d/)
      }
      const appImages = allContainers(doks)
        .filter(({ owner }) => owner !== "Deployment/todo-jaeger")
        .map(({ container }) => container.image)
      expect([...new Set(appImages)].sort()).toEqual([
        "registry.digitalocean.com/todo-registry/todo-agent:2.0.0",
        "registry.digitalocean.com/todo-registry/todo-api:2.0.0",
        "registry.digitalocean.com/todo-registry/todo-web:2.0.0",
      ])
    })

    it("--set image.tag changes every app image and the migration job uses the api image", () => {
      const docs = helmTemplate(h, [...doksArgs, "--set", "image.tag=2.0.1"])
      const job = find<Job>(docs, "Job", "todo-migrate")
      expect(job.spec.template.spec.containers[0]?.image).toBe(
        "registry.digitalocean.com/todo-registry/todo-api:2.0.1",
      )
      for (const app of ["todo-web", "todo-api", "todo-agent"]) {
        const image = find<Deployment>(docs, "Deployment", app).spec.template.spec.containers[0]?.image
        expect(image).toMatch(/:2\.0\.1$/)
      }
    })

    it("local images are never latest either", () => {
      for (const { container } of allContainers(local)) expect(container.image).not.toMatch(/:latest(@|$)/)
    })
  })

  describe("ingress, autoscaling, disruption budgets", () => {
    const routes = (docs: K8sObject[]) =>
      find<Ingress>(docs, "Ingress", "todo").spec.rules.flatMap((r) =>
        r.http.paths.map((p) => [
          r.host,
          p.path,
          p.pathType,
          p.backend.service.name,
          p.backend.service.port.name,
        ]),
      )

    it("locally an Ingress (class nginx) routes /api to the api service and / to the web service, no TLS", () => {
      expect(routes(local)).toEqual([
        ["todo.localtest.me", "/api", "Prefix", "todo-api", "http"],
        ["todo.localtest.me", "/", "Prefix", "todo-web", "http"],
      ])
      const ing = find<Ingress>(local, "Ingress", "todo")
      expect(ing.spec.ingressClassName).toBe("nginx")
      expect(ing.spec.tls).toBeUndefined()
      expect(ing.metadata.annotations).toBeUndefined()
    })

    interface Gateway extends K8sObject {
      readonly spec: {
        readonly gatewayClassName: string
        readonly listeners: ReadonlyArray<{
          readonly name: string
          readonly protocol: string
          readonly port: number
          readonly hostname: string
          readonly tls?: {
            readonly mode: string
            readonly certificateRefs: ReadonlyArray<{ kind: string; name: string }>
          }
        }>
      }
    }
    interface HttpRoute extends K8sObject {
      readonly spec: {
        readonly parentRefs: ReadonlyArray<{ readonly name: string; readonly sectionName?: string }>
        readonly hostnames: ReadonlyArray<string>
        readonly rules: ReadonlyArray<{
          readonly matches?: ReadonlyArray<{
            readonly path: { readonly type: string; readonly value: string }
          }>
          readonly backendRefs?: ReadonlyArray<{ readonly name: string; readonly port: number }>
          readonly filters?: ReadonlyArray<{
            readonly type: string
            readonly requestRedirect?: Record<string, unknown>
          }>
        }>
      }
    }

    it("DOKS: no Ingress (ingress-nginx is retired) but DOKS' managed Gateway API (class cilium)", () => {
      expect(byKind(doks, "Ingress")).toEqual([])
      const gw = find<Gateway>(doks, "Gateway", "todo")
      expect(gw.spec.gatewayClassName).toBe("cilium")
      expect(gw.spec.listeners.map((l) => [l.name, l.protocol, l.port, l.hostname])).toEqual([
        ["http", "HTTP", 80, "todo.example.com"],
        ["https", "HTTPS", 443, "todo.example.com"],
      ])
    })

    it("DOKS: cert-manager issues the HTTPS listener's certificate; HTTP only redirects to HTTPS", () => {
      const gw = find<Gateway>(doks, "Gateway", "todo")
      expect(gw.metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-prod")
      expect(gw.spec.listeners.find((l) => l.name === "https")?.tls).toEqual({
        mode: "Terminate",
        certificateRefs: [{ kind: "Secret", name: "todo-tls" }],
      })
      const app = find<HttpRoute>(doks, "HTTPRoute", "todo")
      expect(app.spec.parentRefs).toEqual([{ name: "todo", sectionName: "https" }])
      expect(app.spec.hostnames).toEqual(["todo.example.com"])
      expect(
        app.spec.rules.map((r) => [
          r.matches?.[0]?.path.value,
          r.backendRefs?.[0]?.name,
          r.backendRefs?.[0]?.port,
        ]),
      ).toEqual([
        ["/api", "todo-api", 4000],
        ["/", "todo-web", 80],
      ])
      // The ports are the Services' ports.
      expect(find<Service>(doks, "Service", "todo-api").spec.ports[0]?.port).toBe(4000)
      expect(find<Service>(doks, "Service", "todo-web").spec.ports[0]?.port).toBe(80)
      const redirect = find<HttpRoute>(doks, "HTTPRoute", "todo-https-redirect")
      expect(redirect.spec.parentRefs).toEqual([{ name: "todo", sectionName: "http" }])
      expect(redirect.spec.rules).toEqual([
        { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
      ])
    })

    it("refuses both entries at once", () => {
      const r = helmTemplateRaw(h, [...doksArgs, "--set", "ingress.enabled=true"])
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain("gateway.enabled and ingress.enabled are both true")
    })

    it("the HPAs scale the api and agent deployments on their own container's CPU", () => {
      for (const [app, min, max] of [
        ["api", 2, 6],
        ["agent", 2, 3],
      ] as const) {
        const hpa = find<Hpa>(doks, "HorizontalPodAutoscaler", `todo-${app}`)
        expect(hpa.apiVersion).toBe("autoscaling/v2")
        expect(hpa.spec.scaleTargetRef).toEqual({
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: `todo-${app}`,
        })
        expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([min, max])
        expect(hpa.spec.metrics).toEqual([
          {
            type: "ContainerResource",
            containerResource: {
              name: "cpu",
              container: app,
              target: { type: "Utilization", averageUtilization: 70 },
            },
          },
        ])
        // With an HPA the Deployment leaves replicas to it.
        expect(find<Deployment>(doks, "Deployment", `todo-${app}`).spec.replicas).toBeUndefined()
      }
      expect(byKind(local, "HorizontalPodAutoscaler")).toEqual([])
    })

    it("PDBs allow one disruption, never minAvailable >= replicas, and only for workloads with 2+ replicas", () => {
      for (const [name, docs] of renders()) {
        for (const pdb of byKind<Pdb>(docs, "PodDisruptionBudget")) {
          const target = byKind<Deployment>(docs, "Deployment").find(
            (d) =>
              JSON.stringify(d.spec.selector.matchLabels) === JSON.stringify(pdb.spec.selector.matchLabels),
          )
          expect(target, `${name} ${pdb.metadata.name} selects no deployment`).toBeDefined()
          const hpa = byKind<Hpa>(docs, "HorizontalPodAutoscaler").find(
            (x) => x.spec.scaleTargetRef.name === target?.metadata.name,
          )
          const replicas = hpa?.spec.minReplicas ?? target?.spec.replicas ?? 1
          expect(replicas, `${name} ${pdb.metadata.name}`).toBeGreaterThanOrEqual(2)
          expect(pdb.spec.maxUnavailable, `${name} ${pdb.metadata.name}`).toBe(1)
          if (pdb.spec.minAvailable !== undefined)
            expect(Number(pdb.spec.minAvailable)).toBeLessThan(replicas)
        }
      }
      expect(byKind(local, "PodDisruptionBudget")).toEqual([])
      expect(
        byKind<Pdb>(doks, "PodDisruptionBudget")
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(["todo-agent", "todo-api", "todo-web"])
    })
  })

  describe("metrics", () => {
    it("a PodMonitor scrapes both the apps' /metrics and daprd's metrics port (one pod annotation cannot)", () => {
      expect(byKind(doks, "PodMonitor")).toEqual([])
      const docs = helmTemplate(h, [...doksArgs, "--set", "metrics.podMonitor.enabled=true"])
      const pm = find<K8sObject & { spec: { podMetricsEndpoints: Array<{ port: string; path: string }> } }>(
        docs,
        "PodMonitor",
        "todo",
      )
      expect(pm.spec.podMetricsEndpoints.map((e) => [e.port, e.path])).toEqual([
        ["http", "/metrics"],
        // The port name daprd's injected container gives its metrics port (Dapr's injector: dapr-metrics).
        ["dapr-metrics", "/"],
      ])
      for (const app of ["todo-api", "todo-agent"]) {
        const ports = find<Deployment>(docs, "Deployment", app).spec.template.spec.containers[0]?.ports ?? []
        expect(ports.map((p) => p.name)).toContain("http")
      }
    })
  })

  describe("migrations", () => {
    it("DOKS runs them as a pre-install/pre-upgrade hook Job with the api image and the app Secret", () => {
      const job = find<Job>(doks, "Job", "todo-migrate")
      expect(job.metadata.annotations).toEqual({
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "0",
        "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
      })
      const spec = job.spec.template.spec
      expect(spec.restartPolicy).toBe("Never")
      expect(spec.containers).toHaveLength(1)
      const c = spec.containers[0] as Container
      expect(c.command).toEqual(["node", "packages/runtime/src/bin/migrate.ts"])
      expect(c.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
        name: "todo-secrets",
        key: "DATABASE_URL",
      })
      // No sidecar on the Job: it would never exit.
      expect(Object.keys(job.spec.template.metadata.annotations ?? {})).toEqual([])
    })

    it("the apps do not migrate on start", () => {
      for (const docs of [doks, local])
        expect(find(docs, "ConfigMap", "todo-config").data?.MIGRATE_ON_START).toBe("false")
    })

    it("a chart-made app Secret is itself a hook (weight -10) so the hook Job can read it", () => {
      const docs = helmTemplate(h, [
        "--set",
        "migrations.hook=true,postgres.enabled=false",
        "--set-string",
        `secrets.databaseUrl=${sentinels["secrets.databaseUrl"]}`,
      ])
      expect(find(docs, "Secret", "todo-secrets").metadata.annotations).toEqual({
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "-10",
        "helm.sh/hook-delete-policy": "before-hook-creation",
      })
      expect(find(docs, "Job", "todo-migrate").metadata.annotations?.["helm.sh/hook-weight"]).toBe("0")
    })

    it("locally (in-cluster PostgreSQL, which a hook would precede) it is a plain Job that waits for the database", () => {
      const job = find<Job>(local, "Job", "todo-migrate-1")
      expect(job.metadata.annotations).toBeUndefined()
      expect(job.spec.template.spec.initContainers?.map((c) => c.name)).toEqual(["wait-for-postgres"])
    })
  })

  describe("admin Job", () => {
    it("is off by default and runs the admin command with the app Secret's DATABASE_URL when enabled", () => {
      for (const docs of [doks, local])
        expect(byKind<Job>(docs, "Job").map((j) => j.metadata.name)).not.toContain("todo-admin-1")
      const docs = helmTemplate(h, [
        "--set",
        "adminJob.enabled=true,adminJob.command=grant,adminJob.email=ops@example.com,adminJob.actor=release-bot",
      ])
      const c = find<Job>(docs, "Job", "todo-admin-1").spec.template.spec.containers[0] as Container
      expect(c.command).toEqual(["node", "packages/api/src/bin/admin.ts", "grant", "ops@example.com"])
      expect(c.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef?.key).toBe("DATABASE_URL")
      expect(c.env?.find((e) => e.name === "ADMIN_ACTOR")?.value).toBe("release-bot")
      for (const docs of [doks, local])
        expect(find(docs, "ConfigMap", "todo-config").data).not.toHaveProperty("ADMIN_EMAILS")
    })

    it("runs under its own ServiceAccount without an API token (the pod-wide checks above cover it too)", () => {
      for (const docs of [adminLocal, adminDoks]) {
        const spec = find<Job>(docs, "Job", "todo-admin-1").spec.template.spec as {
          serviceAccountName?: string
          automountServiceAccountToken?: boolean
        }
        expect(spec.serviceAccountName).toBe("todo-admin")
        expect(spec.automountServiceAccountToken).toBe(false)
        expect(
          (
            find(docs, "ServiceAccount", "todo-admin") as K8sObject & {
              automountServiceAccountToken?: boolean
            }
          ).automountServiceAccountToken,
        ).toBe(false)
      }
      for (const docs of [doks, local])
        expect(byKind(docs, "ServiceAccount").map((sa) => sa.metadata.name)).not.toContain("todo-admin")
    })

    it("refuses a grant without an email and a command it does not know", () => {
      expect(() => helmTemplate(h, ["--set", "adminJob.enabled=true,adminJob.command=grant"])).toThrow(
        /adminJob.email/,
      )
      expect(() => helmTemplate(h, ["--set", "adminJob.enabled=true,adminJob.command=promote"])).toThrow()
    })
  })

  describe("Dapr resources rendered by the chart", () => {
    it("DOKS: pubsub-kafka is SASL over TLS with the DO CA, a Kafka 4-safe version and a namespaced group", () => {
      const rendered = find<DaprComponent>(doks, "Component", "pubsub-kafka")
      expectKafkaComponent(rendered, "todo-kafka", "production.todo.todo.{appID}")
      expect(rendered.scopes).toEqual([API, AGENT])
    })

    it("gives each environment and release its own consumer groups, unless one is pinned", () => {
      const groupOf = (release: string, args: ReadonlyArray<string>) => {
        const r = runHelm(h, [
          "template",
          release,
          chartDir,
          "--namespace",
          "todo",
          "--kube-version",
          kubeVersion,
          ...doksArgs,
          ...args,
        ])
        if (r.status !== 0) throw new Error(r.stderr)
        return metadataMap(find<DaprComponent>(parseDocuments(r.stdout), "Component", "pubsub-kafka")).get(
          "consumerGroup",
        )?.value
      }
      const production = groupOf("todo", [])
      const staging = groupOf("todo", ["--set", "config.deploymentEnvironment=staging"])
      const otherRelease = groupOf("todo-canary", [])
      expect(new Set([production, staging, otherRelease]).size).toBe(3)
      expect(staging).toBe("staging.todo.todo.{appID}")
      // An upgrade that must keep reading with the group of a release from before namespacing.
      expect(groupOf("todo", ["--set-json", 'dapr.pubsub.kafka.consumerGroup="{appID}"'])).toBe("{appID}")
    })

    it("refuses a Kafka protocol version that Kafka 4 brokers reject (KIP-896)", () => {
      const renders = (version: string) =>
        helmTemplateRaw(h, [...doksArgs, "--set-string", `dapr.pubsub.kafka.version=${version}`]).status === 0
      for (const version of ["2.0.0", "1.1.0", "0.10.2"]) expect(renders(version), version).toBe(false)
      expect(renders("3.7.0")).toBe(true)
    })

    it("local: pubsub-kafka is Redis with the same topic ACLs", () => {
      const rendered = find<DaprComponent>(local, "Component", "pubsub-kafka")
      expect(rendered.spec.type).toBe("pubsub.redis")
      expect(metadataMap(rendered).get("redisHost")?.value).toBe("todo-redis:6379")
      expectTopicAcls(rendered)
    })

    it("resiliency retries before the dead letter in both renders", () => {
      for (const docs of [doks, local]) {
        const rendered = find<Resiliency>(docs, "Resiliency", "todo-resiliency")
        expectResiliency(rendered.spec)
        expect(rendered.scopes).toEqual([API, AGENT])
      }
    })

    it("locally the tracing Configuration points the sidecars at the chart's Jaeger with protocol and isSecure", () => {
      const rendered = find<TracingConfiguration>(local, "Configuration", "todo-tracing")
      expectTracing(rendered, "todo-jaeger.todo.svc.cluster.local:4317")
      expect(find(local, "ConfigMap", "todo-config").data?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        "http://todo-jaeger.todo.svc.cluster.local:4318",
      )
      const jaeger = find<Service>(local, "Service", "todo-jaeger")
      expect(jaeger.spec.ports.map((p) => p.port)).toEqual([4317, 4318, 16686])
    })

    it("production keeps one trace in ten and runs no in-memory Jaeger; the apps sample at the root", () => {
      type ConfigMap = K8sObject & { data: Record<string, string> }
      const cm = find<ConfigMap>(doks, "ConfigMap", "todo-config").data
      // The api starts the traces; the sidecars' ParentBased sampler follows its decision.
      expect([cm.OTEL_TRACES_SAMPLER, cm.OTEL_TRACES_SAMPLER_ARG]).toEqual([
        "parentbased_traceidratio",
        "0.1",
      ])
      const tracing = find<TracingConfiguration>(doks, "Configuration", "todo-tracing").spec.tracing
      expect(tracing.samplingRate).toBe("0.1")
      expect(byKind(doks, "Deployment").map((d) => d.metadata.name)).not.toContain("todo-jaeger")
      // No collector named: nothing is exported, and no endpoint points at a Jaeger that is not there.
      expect(tracing.otel).toBeUndefined()
      expect(cm.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined()
      // Locally every trace is kept.
      const localCm = find<ConfigMap>(local, "ConfigMap", "todo-config").data
      expect(localCm.OTEL_TRACES_SAMPLER_ARG).toBe("1")
      // "0" would also stop trace propagation through the sidecars: the schema refuses it.
      const zero = helmTemplateRaw(h, ["--set-string", "config.tracesSampleRatio=0"])
      expect(zero.status).not.toBe(0)
      expect(zero.stderr).toContain("tracesSampleRatio")
    })

    it("dapr.components.enabled=false leaves the components to kubectl apply", () => {
      const docs = helmTemplate(h, [...doksArgs, "--set", "dapr.components.enabled=false"])
      expect(docs.filter((d) => d.apiVersion.startsWith("dapr.io/"))).toEqual([])
      expect(
        find<Deployment>(docs, "Deployment", "todo-agent").spec.template.metadata.annotations?.[
          "dapr.io/enabled"
        ],
      ).toBe("true")
    })
  })
})
