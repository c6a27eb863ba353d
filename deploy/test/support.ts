// Shared helpers for the deploy tests: paths, helm discovery and rendering, YAML parsing, the
// Kubernetes shapes the assertions read, and a model of Dapr's pub/sub topic ACLs.
import { type SpawnOptions, spawn, spawnSync } from "node:child_process"
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, parseAllDocuments } from "yaml"

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
export const chartDir = join(repoRoot, "deploy", "helm", "todo-app")
export const daprDir = join(repoRoot, "deploy", "dapr")
export const dockerDir = join(repoRoot, "deploy", "docker")

export const readRepoFile = (path: string): string => readFileSync(join(repoRoot, path), "utf8")

/** Every file under `dir` (recursive) whose name ends with one of `exts`. */
export const listFiles = (dir: string, exts: ReadonlyArray<string>): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listFiles(path, exts)
    return exts.some((ext) => name.endsWith(ext)) ? [path] : []
  })

export const rel = (path: string): string => relative(repoRoot, path)

// ------------------------------------------------------------------------------------------------
// YAML

/** Parses a single-document YAML file and fails loudly on YAML errors. */
export const parseYamlFile = <T>(path: string): T => parse(readFileSync(path, "utf8"), { strict: true }) as T

/** Parses every document of a multi-document stream (helm output); empty documents are dropped. */
export const parseDocuments = (text: string): K8sObject[] => {
  const docs = parseAllDocuments(text)
  const out: K8sObject[] = []
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    out.push(value as K8sObject)
  }
  return out
}

// ------------------------------------------------------------------------------------------------
// helm

/** Go-installed tools (helm, kubeconform …): on PATH, else in $(go env GOPATH)/bin, else ~/go/bin; one finder for
 *  every test that needs them (packages/testkit/src/Helm.ts). */
export { findHelm, findTool } from "@todo/testkit"

export const helmMissingReason =
  "helm not found on PATH or in $(go env GOPATH)/bin: the chart tests are skipped. " +
  ".ci/run installs it with `go install helm.sh/helm/v3/cmd/helm@v3.21.4`; do the same to run them."

export interface HelmResult {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command without blocking the event loop (needed when it talks to a server of this process), collecting
 * its output. Standard input is closed.
 */
export const runAsync = (
  cmd: string,
  args: ReadonlyArray<string>,
  options: SpawnOptions = {},
): Promise<HelmResult> =>
  new Promise((resolve) => {
    const child = spawn(cmd, [...args], { cwd: repoRoot, ...options, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (d) => {
      stdout += d
    })
    child.stderr?.on("data", (d) => {
      stderr += d
    })
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }))
  })

export const runHelm = (helm: string, args: ReadonlyArray<string>): HelmResult => {
  const r = spawnSync(helm, args, { encoding: "utf8", cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 })
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" }
}

/**
 * The Kubernetes version renders are made for: the one whose API schemas are vendored (deploy/test/schemas).
 * Chart.yaml's kubeVersion refuses helm template's default (1.20), so every render names one.
 */
export const kubeVersion: string = (
  JSON.parse(readFileSync(join(repoRoot, "deploy", "test", "schemas", "sources.json"), "utf8")) as Array<{
    name: string
    version: string
  }>
)
  .find((s) => s.name === "kubernetes")
  ?.version.replace(/^v/, "") as string

/** `helm template todo <chart> -n todo --kube-version <vendored> <args>`. */
export const helmTemplateRaw = (helm: string, args: ReadonlyArray<string>, chart = chartDir): HelmResult =>
  runHelm(helm, helmTemplateArgs(args, chart))

/** The arguments of `helm template todo <chart> -n todo --kube-version <vendored> <args>`. */
export const helmTemplateArgs = (args: ReadonlyArray<string>, chart = chartDir): string[] => [
  "template",
  "todo",
  chart,
  "--namespace",
  "todo",
  "--kube-version",
  kubeVersion,
  ...args,
]

/** helmTemplateRaw, parsed; throws with helm's message when it fails. */
export const helmTemplate = (helm: string, args: ReadonlyArray<string>): K8sObject[] => {
  const r = helmTemplateRaw(helm, args)
  if (r.status !== 0) throw new Error(`helm template ${args.join(" ")} failed:\n${r.stderr}`)
  return parseDocuments(r.stdout)
}

/**
 * The values file docs/deploy-doks.md has the operator write (the `cat > my-values.yaml <<EOF` block), with
 * the guide's shell variables given these sample values; written into `dir`. Renders of the DOKS values use
 * it, so the guide's file is what the tests render.
 */
export const guideSampleEnv: Record<string, string> = {
  REGISTRY: "todo-registry",
  HOST: "todo.example.com",
  ADMIN_EMAIL: "ops@example.com",
  VPC_CIDR: "10.110.0.0/20",
  KAFKA_PORT: "25073",
}
export const guideValuesFile = (dir: string): string => {
  const doc = readRepoFile("docs/deploy-doks.md")
  const m = /cat > my-values\.yaml <<EOF\n([\s\S]*?)\nEOF\n/.exec(doc)
  if (m === null) throw new Error("docs/deploy-doks.md has no `cat > my-values.yaml <<EOF` block")
  const text = (m[1] ?? "").replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => {
    const value = guideSampleEnv[name]
    if (value === undefined)
      throw new Error(`my-values.yaml in the guide uses $${name}, which has no sample value`)
    return value
  })
  const file = join(dir, "my-values.yaml")
  writeFileSync(file, text)
  return file
}

// ------------------------------------------------------------------------------------------------
// Kubernetes shapes (only what the tests read)

export interface Metadata {
  readonly name: string
  readonly namespace?: string
  readonly labels?: Record<string, string>
  readonly annotations?: Record<string, string>
}

export interface K8sObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: Metadata
  readonly spec?: unknown
  readonly data?: Record<string, string>
  readonly scopes?: ReadonlyArray<string>
}

export interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number }
  readonly exec?: { readonly command: ReadonlyArray<string> }
  readonly tcpSocket?: { readonly port: string | number }
}

export interface EnvVar {
  readonly name: string
  readonly value?: string
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean }
    readonly configMapKeyRef?: { readonly name: string; readonly key: string }
  }
}

export interface SecurityContext {
  readonly runAsNonRoot?: boolean
  readonly runAsUser?: number
  readonly allowPrivilegeEscalation?: boolean
  readonly readOnlyRootFilesystem?: boolean
  readonly privileged?: boolean
  readonly capabilities?: { readonly drop?: ReadonlyArray<string>; readonly add?: ReadonlyArray<string> }
  readonly seccompProfile?: { readonly type: string }
}

export interface Container {
  readonly name: string
  readonly image: string
  readonly command?: ReadonlyArray<string>
  readonly env?: ReadonlyArray<EnvVar>
  readonly envFrom?: ReadonlyArray<{
    readonly configMapRef?: { readonly name: string }
    readonly secretRef?: { readonly name: string }
  }>
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort: number }>
  readonly livenessProbe?: Probe
  readonly readinessProbe?: Probe
  readonly startupProbe?: Probe
  readonly resources?: {
    readonly requests?: { readonly cpu?: string | number; readonly memory?: string }
    readonly limits?: { readonly cpu?: string | number; readonly memory?: string }
  }
  readonly securityContext?: SecurityContext
  readonly volumeMounts?: ReadonlyArray<{ readonly name: string; readonly mountPath: string }>
}

export interface PodSpec {
  readonly containers: ReadonlyArray<Container>
  readonly initContainers?: ReadonlyArray<Container>
  readonly securityContext?: SecurityContext & { readonly fsGroup?: number }
  readonly volumes?: ReadonlyArray<{ readonly name: string; readonly emptyDir?: Record<string, unknown> }>
  readonly restartPolicy?: string
}

export interface PodTemplate {
  readonly metadata: {
    readonly labels?: Record<string, string>
    readonly annotations?: Record<string, string>
  }
  readonly spec: PodSpec
}

export interface Deployment extends K8sObject {
  readonly spec: {
    readonly replicas?: number
    readonly strategy?: {
      readonly type: string
      readonly rollingUpdate?: {
        readonly maxUnavailable?: number | string
        readonly maxSurge?: number | string
      }
    }
    readonly selector: { readonly matchLabels: Record<string, string> }
    readonly template: PodTemplate
  }
}

export interface Job extends K8sObject {
  readonly spec: { readonly backoffLimit?: number; readonly template: PodTemplate }
}

export interface Ingress extends K8sObject {
  readonly spec: {
    readonly ingressClassName?: string
    readonly tls?: ReadonlyArray<{ readonly hosts: ReadonlyArray<string>; readonly secretName: string }>
    readonly rules: ReadonlyArray<{
      readonly host?: string
      readonly http: {
        readonly paths: ReadonlyArray<{
          readonly path: string
          readonly pathType: string
          readonly backend: {
            readonly service: {
              readonly name: string
              readonly port: { readonly name?: string; readonly number?: number }
            }
          }
        }>
      }
    }>
  }
}

export interface Hpa extends K8sObject {
  readonly spec: {
    readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string }
    readonly minReplicas: number
    readonly maxReplicas: number
    readonly metrics: ReadonlyArray<{
      readonly type: string
      readonly containerResource?: {
        readonly name: string
        readonly container: string
        readonly target: { readonly type: string; readonly averageUtilization: number }
      }
    }>
  }
}

export interface Pdb extends K8sObject {
  readonly spec: {
    readonly minAvailable?: number | string
    readonly maxUnavailable?: number | string
    readonly selector: { readonly matchLabels: Record<string, string> }
  }
}

export interface Service extends K8sObject {
  readonly spec: {
    readonly selector: Record<string, string>
    readonly ports: ReadonlyArray<{
      readonly name: string
      readonly port: number
      readonly targetPort: string | number
    }>
  }
}

export const byKind = <T extends K8sObject>(docs: ReadonlyArray<K8sObject>, kind: string): T[] =>
  docs.filter((d) => d.kind === kind) as T[]

export const find = <T extends K8sObject>(docs: ReadonlyArray<K8sObject>, kind: string, name: string): T => {
  const found = docs.find((d) => d.kind === kind && d.metadata.name === name)
  if (found === undefined) {
    const have = docs.map((d) => `${d.kind}/${d.metadata.name}`).join(", ")
    throw new Error(`${kind}/${name} not rendered (have: ${have})`)
  }
  return found as T
}

/** Pod templates of every workload (Deployments and Jobs). */
export const podTemplates = (
  docs: ReadonlyArray<K8sObject>,
): Array<{ owner: string; template: PodTemplate }> =>
  docs
    .filter(
      (d) =>
        d.kind === "Deployment" || d.kind === "Job" || d.kind === "StatefulSet" || d.kind === "DaemonSet",
    )
    .map((d) => ({ owner: `${d.kind}/${d.metadata.name}`, template: (d as Deployment).spec.template }))

export const allContainers = (
  docs: ReadonlyArray<K8sObject>,
): Array<{ owner: string; container: Container; init: boolean }> =>
  podTemplates(docs).flatMap(({ owner, template }) => [
    ...template.spec.containers.map((container) => ({ owner, container, init: false })),
    ...(template.spec.initContainers ?? []).map((container) => ({ owner, container, init: true })),
  ])

// ------------------------------------------------------------------------------------------------
// Dapr

export interface MetadataItem {
  readonly name: string
  readonly value?: string
  readonly secretKeyRef?: { readonly name: string; readonly key: string }
}

export interface DaprComponent extends K8sObject {
  readonly spec: {
    readonly type: string
    readonly version: string
    readonly metadata: ReadonlyArray<MetadataItem>
  }
}

export interface RetryPolicy {
  readonly policy: string
  readonly duration?: string
  readonly maxInterval?: string
  readonly maxRetries: number
}

export interface BreakerPolicy {
  readonly maxRequests: number
  readonly interval: string
  readonly timeout: string
  readonly trip: string
}

export interface DirectionPolicy {
  readonly timeout?: string
  readonly retry?: string
  readonly circuitBreaker?: string
}

export interface ResiliencySpec {
  readonly policies: {
    readonly timeouts: Record<string, string>
    readonly retries: Record<string, RetryPolicy>
    readonly circuitBreakers: Record<string, BreakerPolicy>
  }
  readonly targets: {
    readonly components: Record<
      string,
      { readonly outbound?: DirectionPolicy; readonly inbound?: DirectionPolicy }
    >
  }
}

export interface Resiliency extends K8sObject {
  readonly spec: ResiliencySpec
}

export interface TracingConfiguration extends K8sObject {
  readonly spec: {
    readonly tracing: {
      readonly samplingRate: string
      readonly otel?: {
        readonly endpointAddress: string
        readonly protocol: string
        readonly isSecure: boolean
      }
    }
  }
}

export const metadataMap = (component: DaprComponent): Map<string, MetadataItem> => {
  const map = new Map<string, MetadataItem>()
  for (const item of component.spec.metadata) {
    if (map.has(item.name))
      throw new Error(`metadata ${item.name} appears twice in ${component.metadata.name}`)
    map.set(item.name, item)
  }
  return map
}

/** The threshold N of a breaker trip expression `consecutiveFailures > N` (or `>= N` as N - 1). */
export const tripThreshold = (trip: string): number => {
  const m = /^\s*consecutiveFailures\s*(>=|>)\s*(\d+)\s*$/.exec(trip)
  if (m === null) throw new Error(`unsupported trip expression: ${trip}`)
  const n = Number(m[2])
  return m[1] === ">=" ? n - 1 : n
}

// Dapr's topic scoping, modelled on dapr/dapr pkg/runtime/pubsub (GetScopedTopics, IsOperationAllowed):
// "app=a,b;other=" — an app listed with an empty list gets [""] and so is denied every topic; an app
// not listed gets no scope (allowed unless allowedTopics excludes the topic).
export const scopedTopics = (value: string | undefined, appId: string): string[] => {
  if (value === undefined || value === "") return []
  for (const entry of value.replaceAll(" ", "").split(";")) {
    const parts = entry.split("=")
    if (parts.length < 2) continue
    if (parts[0] !== appId) continue
    return [...new Set((parts[1] ?? "").split(","))]
  }
  return []
}

export const isTopicAllowed = (
  component: DaprComponent,
  scope: "publishingScopes" | "subscriptionScopes",
  appId: string,
  topic: string,
): boolean => {
  const meta = metadataMap(component)
  const allowed = (meta.get("allowedTopics")?.value ?? "").split(",").filter((t) => t !== "")
  if (allowed.length > 0 && !allowed.includes(topic)) return false
  const scoped = scopedTopics(meta.get(scope)?.value, appId)
  if (scoped.length === 0) return true
  return scoped.includes(topic)
}
