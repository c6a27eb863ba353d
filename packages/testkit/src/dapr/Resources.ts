import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments } from "yaml"
import { REPO_ROOT } from "../Processes.ts"

export const CHART = join(REPO_ROOT, "deploy", "helm", "todo-app")
export const LOCAL_VALUES = join(REPO_ROOT, "deploy", "dapr", "values-local.yaml")
/** The chart's name for the Kafka credentials, which the local secret store serves under the same name. */
const KAFKA_SECRET = "todo-kafka"
const SECRET_STORE = "local-secrets"

export interface KafkaCredentials {
  readonly brokers: string
  readonly username: string
  readonly password: string
}

/** The inbound and outbound retry policies of the rendered Resiliency, as the drills need them. */
export interface RenderedRetry {
  readonly policy: string
  readonly durationMs: number
  readonly maxRetries: number
}

export interface DaprResources {
  /** `--resources-path` of every daprd: the chart's pub/sub component and resiliency, and the secret store. */
  readonly resourcesPath: string
  /** `--config` of every daprd: the chart's Configuration (tracing). */
  readonly configPath: string
  readonly inbound: RenderedRetry
  readonly outbound: RenderedRetry
  /** Every rendered resource, parsed. */
  readonly documents: ReadonlyArray<Record<string, unknown>>
}

const durationMs = (text: string) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text)
  if (!m) throw new Error(`unsupported duration ${text}`)
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2] as "ms" | "s" | "m"]
}

/**
 * The lowest Kubernetes version Chart.yaml's kubeVersion allows: helm template assumes 1.20 otherwise, which the chart
 * refuses. The Dapr resources do not depend on it.
 */
const kubeVersion = () =>
  /kubeVersion:\s*"?>=\s*v?(\d+\.\d+\.\d+)/.exec(readFileSync(join(CHART, "Chart.yaml"), "utf8"))?.[1]

const render = (helm: string, templates: ReadonlyArray<string>, set: ReadonlyArray<string>) => {
  const floor = kubeVersion()
  const args = ["template", "todo", CHART, "--namespace", "todo", "-f", LOCAL_VALUES]
  if (floor) args.push("--kube-version", floor)
  for (const t of templates) args.push("--show-only", `templates/dapr/${t}`)
  for (const s of set) args.push("--set", s)
  const r = spawnSync(helm, args, { encoding: "utf8", cwd: REPO_ROOT })
  if (r.status !== 0) throw new Error(`helm ${args.join(" ")} failed:\n${r.stderr}`)
  return r.stdout
}

/**
 * Renders the chart's Dapr resources (templates/dapr/) with deploy/dapr/values-local.yaml into `dir`, for sidecars
 * on this machine: the same pub/sub component, resiliency and Configuration the cluster gets, with the Kafka
 * credentials served by a local file secret store (mode 0600) under the chart's Secret name, and tracing pointed at
 * `tracingEndpoint` (host:port, OTLP over HTTP) when given.
 */
export const renderDaprResources = (options: {
  readonly helm: string
  readonly dir: string
  readonly kafka: KafkaCredentials
  readonly tracingEndpoint?: string
}): DaprResources => {
  const resourcesPath = join(options.dir, "resources")
  mkdirSync(resourcesPath, { recursive: true })
  const set = options.tracingEndpoint ? [`dapr.tracing.endpointAddress=${options.tracingEndpoint}`] : []
  // One file per resource: self-hosted daprd reads only the first YAML document of a file for a Resiliency (its
  // loader unmarshals the file whole), so a Resiliency after a `---` would be silently ignored, and with it every
  // retry (measured: one attempt, then the dead-letter topic).
  const pubsub = render(options.helm, ["pubsub.yaml"], set)
  const resiliencyText = render(options.helm, ["resiliency.yaml"], set)
  const configuration = render(options.helm, ["configuration.yaml"], set)
  writeFileSync(join(resourcesPath, "pubsub.yaml"), pubsub)
  writeFileSync(join(resourcesPath, "resiliency.yaml"), resiliencyText)
  const configPath = join(options.dir, "config.yaml")
  writeFileSync(configPath, configuration)

  const secretsFile = join(options.dir, "secrets.json")
  writeFileSync(secretsFile, JSON.stringify({ [KAFKA_SECRET]: options.kafka }), { mode: 0o600 })
  writeFileSync(
    join(resourcesPath, "secret-store.yaml"),
    [
      "# Local only: serves the Kafka credentials to the chart's pub/sub component (auth.secretStore).",
      "apiVersion: dapr.io/v1alpha1",
      "kind: Component",
      `metadata: { name: ${SECRET_STORE} }`,
      "spec:",
      "  type: secretstores.local.file",
      "  version: v1",
      "  metadata:",
      `    - { name: secretsFile, value: ${JSON.stringify(secretsFile)} }`,
      '    - { name: multiValued, value: "true" }',
      "",
    ].join("\n"),
  )

  const documents = [pubsub, resiliencyText, configuration]
    .flatMap((text) => parseAllDocuments(text))
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null)
  const resiliency = documents.find((d) => d.kind === "Resiliency") as
    | {
        spec: {
          policies: { retries: Record<string, { policy: string; duration: string; maxRetries: number }> }
          targets: { components: Record<string, { inbound: { retry: string }; outbound: { retry: string } }> }
        }
      }
    | undefined
  if (!resiliency) throw new Error("the chart rendered no Resiliency")
  const retry = (direction: "inbound" | "outbound"): RenderedRetry => {
    const target = Object.values(resiliency.spec.targets.components)[0]!
    const policy = resiliency.spec.policies.retries[target[direction].retry]!
    return { policy: policy.policy, durationMs: durationMs(policy.duration), maxRetries: policy.maxRetries }
  }
  return { resourcesPath, configPath, inbound: retry("inbound"), outbound: retry("outbound"), documents }
}
