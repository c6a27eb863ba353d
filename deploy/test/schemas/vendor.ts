// Refreshes the schema files the deploy tests validate against, from the Go module proxy (the modules' own
// released files, not hand-written lists), and records where each came from in sources.json.
//
//   node deploy/test/schemas/vendor.ts            # needs `go` and the Go module proxy
//
// To move to another version, change it below, run this, and read the test failures: they name every key or
// field the new schemas no longer accept. The tests themselves never touch the network; they check the vendored
// files against the sha256 recorded here.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

interface Source {
  /** Folder under deploy/test/schemas. */
  readonly name: string
  readonly module: string
  readonly version: string
  /** What the files are, in one line. */
  readonly about: string
  /** Paths inside the module. */
  readonly files: ReadonlyArray<string>
}

// Dapr 1.18.3 is the runtime docs/deploy-doks.md installs; its go.mod names the components-contrib release it
// is built with (checked by the tests from the vendored go.mod).
export const sources: ReadonlyArray<Source> = [
  {
    name: "dapr",
    module: "github.com/dapr/dapr",
    version: "v1.18.3",
    about:
      "Dapr's CRDs (as `dapr init -k` installs them), its go.mod, and the pub/sub topic-scoping metadata keys",
    files: [
      "charts/dapr/crds/components.yaml",
      "charts/dapr/crds/configuration.yaml",
      "charts/dapr/crds/httpendpoints.yaml",
      "charts/dapr/crds/mcpservers.yaml",
      "charts/dapr/crds/resiliency.yaml",
      "charts/dapr/crds/subscription.yaml",
      "charts/dapr/crds/workflowaccesspolicy.yaml",
      "go.mod",
      "pkg/scopes/scopes.go",
    ],
  },
  {
    name: "components-contrib",
    module: "github.com/dapr/components-contrib",
    version: "v1.18.4",
    about: "the metadata each pub/sub component accepts, for the Dapr release above",
    files: ["pubsub/kafka/metadata.yaml", "pubsub/redis/metadata.yaml"],
  },
  {
    name: "kubernetes",
    module: "k8s.io/kubernetes",
    version: "v1.34.4",
    about: "the Kubernetes API's OpenAPI v3 documents for the groups the chart renders",
    files: [
      "api/openapi-spec/v3/api__v1_openapi.json",
      "api/openapi-spec/v3/apis__apps__v1_openapi.json",
      "api/openapi-spec/v3/apis__autoscaling__v2_openapi.json",
      "api/openapi-spec/v3/apis__batch__v1_openapi.json",
      "api/openapi-spec/v3/apis__networking.k8s.io__v1_openapi.json",
      "api/openapi-spec/v3/apis__policy__v1_openapi.json",
    ],
  },
  {
    name: "gateway-api",
    module: "sigs.k8s.io/gateway-api",
    version: "v1.3.0",
    about: "Gateway API CRDs (standard channel): Gateway and HTTPRoute",
    files: [
      "config/crd/standard/gateway.networking.k8s.io_gateways.yaml",
      "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
    ],
  },
  {
    name: "cilium",
    module: "github.com/cilium/cilium",
    version: "v1.18.4",
    about: "the CiliumNetworkPolicy CRD (DOKS runs Cilium; its Gateway proxies are the `ingress` entity)",
    files: ["pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml"],
  },
  {
    name: "prometheus-operator",
    module: "github.com/prometheus-operator/prometheus-operator",
    version: "v0.85.0",
    about: "the PodMonitor CRD (scrapes the apps' /metrics and daprd's metrics port)",
    files: ["example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"],
  },
]

export const schemasDir = dirname(fileURLToPath(import.meta.url))

export interface Recorded {
  readonly name: string
  readonly module: string
  readonly version: string
  /** go.sum's h1: hash of the module zip the files were taken from. */
  readonly sum: string
  readonly about: string
  readonly files: Record<string, { readonly from: string; readonly sha256: string }>
}

export const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex")

const main = () => {
  const recorded: Recorded[] = []
  for (const source of sources) {
    const info = JSON.parse(
      execFileSync("go", ["mod", "download", "-json", `${source.module}@${source.version}`], {
        encoding: "utf8",
      }),
    ) as { Dir: string; Sum: string }
    const out = join(schemasDir, source.name)
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out, { recursive: true })
    const files: Record<string, { from: string; sha256: string }> = {}
    for (const file of source.files) {
      // Go sources keep a .txt suffix, so no Go tool takes this folder for a module or a package.
      // Files of one module that share a name (pubsub/kafka/metadata.yaml, pubsub/redis/metadata.yaml) keep their
      // path, dotted: pubsub.kafka.metadata.yaml.
      const base =
        source.files.filter((f) => f.split("/").at(-1) === file.split("/").at(-1)).length > 1
          ? file.replaceAll("/", ".")
          : (file.split("/").at(-1) as string)
      const dest = /\.(go|mod)$/.test(base) ? `${base}.txt` : base
      copyFileSync(join(info.Dir, file), join(out, dest))
      chmodSync(join(out, dest), 0o644)
      files[dest] = { from: file, sha256: sha256(join(out, dest)) }
    }
    recorded.push({ ...source, sum: info.Sum, files })
    console.log(`${source.module}@${source.version}: ${source.files.length} file(s)`)
  }
  writeFileSync(join(schemasDir, "sources.json"), `${JSON.stringify(recorded, null, 2)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()
