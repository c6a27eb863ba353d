// The deployment files outside deploy/: the GitHub workflow, the Nix dev shell and the DOKS guide,
// checked against the chart and the Dapr files they describe.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { chartDir, type DaprComponent, daprDir, parseYamlFile, readRepoFile, repoRoot } from "./support.ts"

describe(".github/workflows/ci.yml", () => {
  interface Step {
    readonly name?: string
    readonly uses?: string
    readonly run?: string
    readonly with?: Record<string, string | number | boolean>
  }
  interface Workflow {
    readonly on: Record<string, unknown>
    readonly jobs: Record<
      string,
      {
        readonly "runs-on": string
        readonly services?: Record<
          string,
          { readonly image: string; readonly env?: Record<string, string>; readonly ports?: string[] }
        >
        readonly env?: Record<string, string>
        readonly steps: ReadonlyArray<Step>
      }
    >
  }
  const workflow = parse(readRepoFile(".github/workflows/ci.yml")) as Workflow
  const job = workflow.jobs.test
  const steps = job?.steps ?? []
  const runs = steps.map((s) => s.run ?? "")

  it("runs on pushes and pull requests", () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["push", "pull_request"]))
  })

  it("has a pinned PostgreSQL service and points TEST_DATABASE_URL at it", () => {
    const pg = job?.services?.postgres
    expect(pg?.image).toMatch(/^postgres:\d+\.\d+-alpine$/)
    expect(pg?.ports).toEqual(["5432:5432"])
    const password = pg?.env?.POSTGRES_PASSWORD ?? ""
    expect(job?.env?.TEST_DATABASE_URL).toBe(`postgres://postgres:${password}@127.0.0.1:5432/postgres`)
  })

  it("sets up Node from .nvmrc (24), Go for helm, then npm ci and npm test", () => {
    expect(readRepoFile(".nvmrc").trim()).toBe("24")
    const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"))
    expect(node?.with?.["node-version-file"]).toBe(".nvmrc")
    expect(steps.some((s) => s.uses?.startsWith("actions/setup-go@"))).toBe(true)
    expect(runs.some((r) => /go install helm\.sh\/helm\/v3\/cmd\/helm@v3\.\d+\.\d+/.test(r))).toBe(true)
    expect(runs.some((r) => r.includes('echo "$(go env GOPATH)/bin" >> "$GITHUB_PATH"'))).toBe(true)
    const ci = runs.findIndex((r) => r.startsWith("npm ci"))
    const test = runs.findIndex((r) => r.trim() === "npm test")
    expect(ci).toBeGreaterThan(0)
    expect(test).toBeGreaterThan(ci)
  })
})

describe("flake.nix", () => {
  const flake = readRepoFile("flake.nix")

  it("gives a dev shell with Node 24 and the deployment tools on the common systems", () => {
    expect(flake).toContain('inputs.nixpkgs.url = "github:NixOS/nixpkgs/')
    expect(flake).toContain("devShells = forAllSystems")
    for (const system of ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"]) {
      expect(flake).toContain(`"${system}"`)
    }
    const packages = /packages = with pkgs; \[([\s\S]*?)\];/.exec(flake)?.[1] ?? ""
    const names = packages
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter((l) => l !== "")
    expect(names).toEqual([
      "nodejs_24",
      "kubernetes-helm",
      "kubectl",
      "dapr-cli",
      "doctl",
      "postgresql",
      "jq",
    ])
  })
})

describe("docs/deploy-doks.md", () => {
  const doc = readRepoFile("docs/deploy-doks.md")

  it("creates the four Secrets with exactly the names and keys the chart and the component read", () => {
    // Each `kubectl -n "$NS" create secret generic NAME \` command and its continuation lines.
    const created = new Map<string, string[]>()
    const lines = doc.split("\n")
    lines.forEach((line, i) => {
      const m = /kubectl -n "\$NS" create secret generic (\S+)/.exec(line)
      if (m === null) return
      const command = [line]
      for (let j = i; (lines[j] ?? "").trimEnd().endsWith("\\"); j++) command.push(lines[j + 1] ?? "")
      const keys = [...command.join("\n").matchAll(/--from-(?:literal|file)=([^\s=]+)=/g)].map(
        (k) => k[1] ?? "",
      )
      created.set(m[1] ?? "", keys.sort())
    })
    interface DoksValues {
      readonly secrets: {
        readonly existingSecret: string
        readonly daprApiToken: { readonly existingSecret: string }
        readonly appApiToken: { readonly existingSecret: string }
        readonly kafka: { readonly existingSecret: string }
      }
    }
    const values = parseYamlFile<DoksValues>(join(chartDir, "values-doks.yaml")).secrets
    const component = parseYamlFile<DaprComponent>(join(daprDir, "components", "pubsub-kafka.yaml"))
    const kafkaRefs = component.spec.metadata.flatMap((m) => (m.secretKeyRef ? [m.secretKeyRef] : []))
    expect(new Set(kafkaRefs.map((r) => r.name))).toEqual(new Set([values.kafka.existingSecret]))

    expect(Object.fromEntries(created)).toEqual({
      [values.existingSecret]: ["BETTER_AUTH_SECRET", "DATABASE_URL", "OPENAI_API_KEY"],
      [values.daprApiToken.existingSecret]: ["token"],
      [values.appApiToken.existingSecret]: ["token"],
      [values.kafka.existingSecret]: kafkaRefs.map((r) => r.key).sort(),
    })
  })

  it("pins Dapr 1.18, builds amd64 images from the repo's Dockerfiles and installs with values-doks.yaml", () => {
    expect(doc).toMatch(/dapr init -k --runtime-version 1\.18\.\d+/)
    expect(doc).toContain("docker buildx build --platform linux/amd64")
    expect(doc).toContain("for app in api agent web; do")
    expect(doc).toContain("-f deploy/docker/$app.Dockerfile")
    for (const app of ["api", "agent", "web"]) {
      expect(existsSync(join(repoRoot, "deploy", "docker", `${app}.Dockerfile`))).toBe(true)
    }
    expect(doc).toContain(
      "helm upgrade --install todo deploy/helm/todo-app -f deploy/helm/todo-app/values-doks.yaml --set image.tag=$VERSION",
    )
    expect(doc).toMatch(/helm -n "\$NS" rollback todo/)
    expect(doc).toContain('kubectl -n "$NS" port-forward svc/todo-jaeger 16686:16686')
  })

  it("creates the topics and the cluster the chart expects", () => {
    expect(doc).toMatch(/topics create "\$KAFKA_ID" tasks-lifecycle +--partition-count 3/)
    expect(doc).toMatch(/topics create "\$KAFKA_ID" tasks-lifecycle-dlq +--partition-count \d/)
    expect(doc).toContain('--node-pool "name=default;size=s-2vcpu-4gb;count=3"')
    expect(doc).toContain("saslMechanism: SHA-256")
  })

  it("states the monthly cost as approximate and dated", () => {
    const cost = doc.slice(doc.indexOf("## 14. Monthly cost"))
    expect(cost).toContain("approximate")
    expect(cost).toMatch(/as published in 20\d\d/)
    expect(cost).toMatch(/\*\*Total\*\*.*≈ \$\d+/)
  })
})
