// docs/deploy-doks.md, run: every ```bash block, in order, in one `bash -euo pipefail`, in an empty working
// directory, with stand-ins for what needs a cloud account or a cluster (deploy/test/guide-stubs: doctl, kubectl,
// the DigitalOcean API, dig, gh, docker) and the real helm, jq, openssl, base64 and deploy/smoke.sh. It shows
// what this machine can: every command parses and runs with the variables the guide sets, the Secrets get
// exactly the bytes intended, the release renders valid objects from the guide's own values file, the tools go
// in in the right order, upgrades pass the values files again, nothing secret is left on disk.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse, parseAllDocuments } from "yaml"
import {
  chartDir,
  type DaprComponent,
  findHelm,
  helmMissingReason,
  type K8sObject,
  kubeVersion,
  parseDocuments,
  parseYamlFile,
  readRepoFile,
  repoRoot,
  runAsync,
} from "./support.ts"
import { schemaErrors } from "./validate.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)
const tools = ["bash", "jq", "openssl", "base64"].filter(
  (t) => !["/usr/local/bin", "/usr/bin", "/bin"].some((d) => existsSync(join(d, t))),
)
if (tools.length > 0) console.warn(`${tools.join(", ")} missing: docs/deploy-doks.md is not run`)

const guide = readRepoFile("docs/deploy-doks.md")
/** The guide's ```bash blocks, in order (the laptop section's are ```sh: not for a DOKS cluster). */
const blocks = [...guide.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "")
const stubs = join(repoRoot, "deploy", "test", "guide-stubs")

interface Run {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
  readonly state: string
  readonly work: string
}

const which = (tool: string): string => {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (existsSync(join(dir, tool))) return join(dir, tool)
  throw new Error(`${tool} not on PATH`)
}

/** Runs `script` as the operator would, from a fresh working directory holding the repository's deploy/. */
const runGuide = (root: string, script: string, env: Record<string, string> = {}): Promise<Run> => {
  const work = join(root, "work")
  const state = join(root, "state")
  const home = join(root, "home")
  for (const dir of [work, state, home]) mkdirSync(dir, { recursive: true })
  symlinkSync(join(repoRoot, "deploy"), join(work, "deploy"))
  // No stdin (runAsync closes it): bash takes a socket on stdin for a remote shell and would read the system
  // bashrc; SHLVL says it is not a login either.
  return runAsync("bash", ["-euo", "pipefail", "-c", script], {
    cwd: work,
    env: {
      SHLVL: "1",
      PATH: `${stubs}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      LANG: "C.UTF-8",
      STATE: state,
      REAL_HELM: helm ?? "helm",
      REAL_SLEEP: which("sleep"),
      KUBE_VERSION: kubeVersion,
      DIGITALOCEAN_TOKEN: "dop_v1_fake_token_for_the_guide_test",
      ...env,
    },
  }).then((r) => ({ ...r, state, work }))
}

const secret = (run: Run, name: string): Record<string, string> => {
  const dir = join(run.state, "secrets", name)
  return Object.fromEntries(readdirSync(dir).map((k) => [k, readFileSync(join(dir, k), "utf8")]))
}
const calls = (run: Run): string[] => readFileSync(join(run.state, "calls.log"), "utf8").trim().split("\n")
const releases = (run: Run): K8sObject[][] =>
  readdirSync(run.state)
    .filter((f) => /^release-\d+\.yaml$/.test(f))
    .sort()
    .map((f) => parseDocuments(readFileSync(join(run.state, f), "utf8")))

describe("docs/deploy-doks.md's shell blocks", () => {
  it("are all there is to run, and each parses as bash", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(14)
    // No other fenced shell in the DOKS sections (the laptop section's block is ```sh).
    const laptop = guide.indexOf("## 19. The same chart on a laptop")
    expect(laptop).toBeGreaterThan(0)
    expect([...guide.slice(0, laptop).matchAll(/^```(sh|shell|console)\n/gm)]).toEqual([])
  })
})

describe.skipIf(helm === undefined)(
  "docs/deploy-doks.md, run against stand-ins for DigitalOcean and the cluster",
  () => {
    let root = ""
    let full: Run
    let noOpenAi: Run
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), "todo-guide-"))
      const script = blocks.join("\n")
      full = await runGuide(join(root, "full"), script, { OPENAI_API_KEY: "sk-fake-openai-key" })
      noOpenAi = await runGuide(join(root, "no-openai"), script)
    }, 120_000)
    afterAll(() => {
      if (root !== "") rmSync(root, { recursive: true, force: true })
    })

    it("runs from start to end under bash -euo pipefail (no unset variable, no failing command)", () => {
      expect(full.stderr).toBe("")
      expect(full.status).toBe(0)
      expect(noOpenAi.status).toBe(0)
    })

    it("creates the four Secrets the chart and the Dapr component read, with exactly these keys", () => {
      interface DoksValues {
        readonly secrets: {
          readonly existingSecret: string
          readonly daprApiToken: { readonly existingSecret: string }
          readonly appApiToken: { readonly existingSecret: string }
          readonly kafka: { readonly existingSecret: string }
        }
      }
      const values = parseYamlFile<DoksValues>(join(chartDir, "values-doks.yaml")).secrets
      const component = releases(full)[0]?.find((d) => d.kind === "Component") as DaprComponent
      const kafkaRefs = component.spec.metadata.flatMap((m) => (m.secretKeyRef ? [m.secretKeyRef] : []))
      expect(new Set(kafkaRefs.map((r) => r.name))).toEqual(new Set([values.kafka.existingSecret]))
      const keys = (name: string) => Object.keys(secret(full, name)).sort()
      expect(readdirSync(join(full.state, "secrets")).sort()).toEqual(
        [
          values.existingSecret,
          values.daprApiToken.existingSecret,
          values.appApiToken.existingSecret,
          values.kafka.existingSecret,
        ].sort(),
      )
      expect(keys(values.existingSecret)).toEqual(["BETTER_AUTH_SECRET", "DATABASE_URL", "OPENAI_API_KEY"])
      expect(keys(values.daprApiToken.existingSecret)).toEqual(["token"])
      expect(keys(values.appApiToken.existingSecret)).toEqual(["token"])
      expect(keys(values.kafka.existingSecret)).toEqual(kafkaRefs.map((r) => r.key).sort())
    })

    it("puts no stray byte in any Secret: the Kafka values are exactly what DigitalOcean answered", () => {
      const kafka = secret(full, "todo-kafka")
      expect(kafka.password).toBe("AVNS_fakePassw0rd")
      expect(kafka.brokers).toBe("private-db-kafka-fra1-0.b.db.ondigitalocean.com:25073")
      expect(kafka.username).toBe("todo-dapr")
      expect(kafka["ca.crt"]).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/)
      for (const name of ["todo-secrets", "todo-kafka", "todo-dapr-api-token", "todo-app-api-token"]) {
        for (const [key, value] of Object.entries(secret(full, name))) {
          expect(value, `${name}/${key}`).toBe(value.trim())
          expect(value.length, `${name}/${key}`).toBeGreaterThan(0)
        }
      }
      const app = secret(full, "todo-secrets")
      expect(app.DATABASE_URL).toContain("sslmode=require")
      expect(app.BETTER_AUTH_SECRET?.length).toBeGreaterThanOrEqual(32)
      expect(secret(full, "todo-dapr-api-token").token).toMatch(/^[0-9a-f]{64}$/)
      expect(secret(full, "todo-app-api-token").token).not.toBe(secret(full, "todo-dapr-api-token").token)
    })

    it("adds OPENAI_API_KEY only when there is one (an empty key would count as set)", () => {
      expect(secret(full, "todo-secrets").OPENAI_API_KEY).toBe("sk-fake-openai-key")
      expect(Object.keys(secret(noOpenAi, "todo-secrets"))).not.toContain("OPENAI_API_KEY")
    })

    it("leaves no credential on disk: the working directory holds only my-values.yaml", () => {
      expect(readdirSync(full.work).sort()).toEqual(["deploy", "my-values.yaml"])
      const values = readFileSync(join(full.work, "my-values.yaml"), "utf8")
      for (const secretValue of [
        "AVNS_fakePassw0rd",
        "sk-fake-openai-key",
        "fake-service-account-token",
        "BEGIN CERTIFICATE",
      ])
        expect(values).not.toContain(secretValue)
    })

    it("installs and upgrades with values-doks.yaml and its own values file, never --reuse-values, and renders valid objects", () => {
      const todo = calls(full).filter((c) => c.startsWith("helm upgrade --install todo "))
      expect(todo).toHaveLength(2) // install (§10) and upgrade (§13)
      for (const call of todo) {
        expect(call).toContain("-f deploy/helm/todo-app/values-doks.yaml -f my-values.yaml")
        expect(call).toContain("--set image.tag=3f9a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d")
        expect(call).toContain("--atomic --wait")
      }
      expect(calls(full).some((c) => c.includes("--reuse-values"))).toBe(false)
      const rendered = releases(full)
      expect(rendered).toHaveLength(2)
      for (const docs of rendered) {
        expect(docs.flatMap(schemaErrors)).toEqual([])
        const images = docs
          .filter((d) => d.kind === "Deployment")
          .map(
            (d) =>
              (d as unknown as { spec: { template: { spec: { containers: Array<{ image: string }> } } } })
                .spec.template.spec.containers[0]?.image,
          )
        expect(images.sort()).toEqual(
          ["agent", "api", "web"].map(
            (a) =>
              `registry.digitalocean.com/todo-registry/todo-${a}:3f9a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d`,
          ),
        )
        const gateway = docs.find((d) => d.kind === "Gateway") as K8sObject & {
          spec: { listeners: Array<{ name: string; hostname: string }> }
        }
        expect(gateway.spec.listeners.map((l) => l.hostname)).toEqual([
          "todo.example.com",
          "todo.example.com",
        ])
      }
    })

    it("installs metrics-server, Dapr and cert-manager (with Gateway API support) before the release", () => {
      const log = calls(full)
      const at = (prefix: string) => log.findIndex((c) => c.startsWith(prefix))
      const release = at("helm upgrade --install todo ")
      expect(
        at("helm upgrade --install metrics-server metrics-server/metrics-server"),
      ).toBeGreaterThanOrEqual(0)
      expect(at("helm upgrade --install metrics-server")).toBeLessThan(release)
      expect(at("kubectl top nodes")).toBeLessThan(release)
      expect(at("dapr init -k --runtime-version 1.18.3")).toBeLessThan(release)
      const certManager = log[at("helm upgrade --install cert-manager jetstack/cert-manager")] ?? ""
      expect(certManager).toContain("--set config.enableGatewayAPI=true")
      expect(at("helm upgrade --install cert-manager")).toBeLessThan(release)
    })

    it("the ClusterIssuer answers HTTP-01 through the release's Gateway listener that redirects everything else", () => {
      const issuer = parse(readFileSync(join(full.state, "applied-0.yaml"), "utf8")) as {
        kind: string
        spec: {
          acme: { email: string; solvers: Array<{ http01: { gatewayHTTPRoute: { parentRefs: unknown[] } } }> }
        }
      }
      expect(issuer.kind).toBe("ClusterIssuer")
      expect(issuer.spec.acme.email).toBe("ops@example.com")
      expect(issuer.spec.acme.solvers[0]?.http01.gatewayHTTPRoute.parentRefs).toEqual([
        { kind: "Gateway", name: "todo", namespace: "todo", sectionName: "http" },
      ])
      const docs = releases(full)[0] ?? []
      const gateway = docs.find((d) => d.kind === "Gateway")
      expect(gateway?.metadata.name).toBe("todo")
      expect(gateway?.metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-prod")
    })

    it("waits for the Gateway's address, points DNS at it, waits for the certificate, creates the topics", () => {
      const log = calls(full).join("\n")
      expect(log).toContain("kubectl -n todo wait gateway/todo --for=condition=Programmed --timeout=10m")
      expect(log).toContain(
        "doctl compute domain records create example.com --record-type A --record-name todo --record-data 203.0.113.10",
      )
      expect(log).toContain("kubectl -n todo wait certificate/todo-tls --for=condition=Ready --timeout=10m")
      expect(log).toMatch(/doctl databases topics create 9d3e-kafka tasks-lifecycle --partition-count 3/)
      expect(log).toMatch(/doctl databases topics create 9d3e-kafka tasks-lifecycle-dlq --partition-count \d/)
      expect(log).toContain("--node-pool name=default\\;size=s-2vcpu-4gb\\;count=3")
    })

    it("runs deploy/smoke.sh against the public URL and the port-forwarded /ready, then rolls back to the previous revision", () => {
      expect(full.stdout).toContain("smoke: ready")
      expect(full.stdout).toContain("smoke: web UI")
      expect(full.stdout).toMatch(/smoke: overdue suggestion after \d+ s: ok/)
      const log = calls(full).join("\n")
      expect(log).toContain(
        "curl -fsS --retry 10 --retry-connrefused --retry-delay 1 http://127.0.0.1:4000/ready",
      )
      expect(log).toContain("kubectl -n todo port-forward svc/todo-api 4000:4000")
      expect(log).toContain("helm -n todo rollback todo 1 --wait --timeout 10m")
    })

    it("gives CI a namespace-scoped deployer that may apply every kind the release renders", () => {
      const applied = readdirSync(full.state)
        .filter((f) => f.startsWith("applied-"))
        .flatMap((f) =>
          parseAllDocuments(readFileSync(join(full.state, f), "utf8")).map((d) => d.toJS() as K8sObject),
        )
      const role = applied.find((d) => d.kind === "Role") as K8sObject & {
        rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>
      }
      expect(applied.some((d) => d.kind === "ClusterRole" || d.kind === "ClusterRoleBinding")).toBe(false)
      const groups = new Set(role.rules.flatMap((r) => r.apiGroups))
      for (const d of releases(full)[0] ?? []) {
        const group = d.apiVersion.includes("/") ? (d.apiVersion.split("/")[0] as string) : ""
        expect(groups, `${d.kind} (${d.apiVersion})`).toContain(group)
      }
      const kubeconfig = JSON.parse(
        Buffer.from(readFileSync(join(full.state, "gh", "KUBECONFIG_B64"), "utf8"), "base64").toString(
          "utf8",
        ),
      ) as {
        users: Array<{ user: Record<string, unknown> }>
        contexts: Array<{ context: { namespace: string } }>
      }
      expect(kubeconfig.users[0]?.user).toEqual({ token: "fake-service-account-token" })
      expect(kubeconfig.contexts[0]?.context.namespace).toBe("todo")
      expect(readFileSync(join(full.state, "gh", "DOKS_VALUES"), "utf8")).toBe(
        readFileSync(join(full.work, "my-values.yaml"), "utf8"),
      )
    })

    it("stops at the Neon step when DATABASE_URL lacks sslmode=require", async () => {
      const neon = blocks.find((b) => b.includes("sslmode=require*")) ?? ""
      expect(neon).not.toBe("")
      const withoutTls = neon.replace(
        /export DATABASE_URL='[^']*'/,
        "export DATABASE_URL='postgresql://u:p@ep-x.aws.neon.tech/todo'",
      )
      const r = await runGuide(join(root, "no-tls"), withoutTls)
      expect(r.status).not.toBe(0)
      expect(r.stderr.trim()).toBe(
        "DATABASE_URL has no sslmode=require: Neon refuses connections without TLS",
      )
    })
  },
)
