// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub Actions expressions, ${{ ... }}
// The deployment files outside deploy/: the GitHub workflow, the Nix dev shell and the DOKS guide,
// checked against the chart and the Dapr files they describe.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { findTool, listFiles, readRepoFile, rel, repoRoot } from "./support.ts"

describe(".github/workflows/ci.yml", () => {
  interface Step {
    readonly name?: string
    readonly uses?: string
    readonly run?: string
    readonly if?: string
    readonly env?: Record<string, string>
    readonly with?: Record<string, string | number | boolean>
  }
  interface Job {
    readonly "runs-on": string
    readonly if?: string
    readonly needs?: ReadonlyArray<string>
    readonly environment?: { readonly name: string; readonly url?: string }
    readonly strategy?: { readonly matrix: Record<string, ReadonlyArray<string>> }
    readonly services?: Record<
      string,
      { readonly image: string; readonly env?: Record<string, string>; readonly ports?: string[] }
    >
    readonly env?: Record<string, string>
    readonly steps: ReadonlyArray<Step>
  }
  interface Workflow {
    readonly on: Record<string, unknown>
    readonly permissions: Record<string, string>
    readonly jobs: Record<string, Job>
  }
  const text = readRepoFile(".github/workflows/ci.yml")
  const workflow = parse(text) as Workflow
  const job = (name: string): Job => {
    const j = workflow.jobs[name]
    if (j === undefined) throw new Error(`no job ${name}`)
    return j
  }
  const step = (j: Job, match: (s: Step) => boolean, what: string): Step => {
    const s = j.steps.find(match)
    if (s === undefined) throw new Error(`no step: ${what}`)
    return s
  }

  it("runs on pushes to main and pull requests, with read-only default permissions", () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["push", "pull_request"]))
    expect(workflow.permissions).toEqual({ contents: "read" })
  })

  it("pins every action to a full commit SHA, with the release tag beside it", () => {
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)]
    expect(uses.length).toBeGreaterThanOrEqual(8)
    for (const [, ref, rest] of uses) {
      expect(ref, `${ref} must be owner/repo@<40-hex SHA>`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)
      expect(rest, `${ref} needs its tag as a comment`).toMatch(/^\s+# v\d+\.\d+\.\d+$/)
    }
    // One action, one pin.
    const pins = new Map<string, string>()
    for (const [, ref] of uses) {
      const [name, sha] = (ref ?? "").split("@")
      expect(pins.get(name ?? "") ?? sha, name).toBe(sha)
      pins.set(name ?? "", sha ?? "")
    }
  })

  it("test: runs .ci/run itself (the same checks), with Node from .nvmrc, helm, and PostgreSQL pinned by digest", () => {
    const test = job("test")
    expect(readRepoFile(".nvmrc").trim()).toBe("24")
    expect(
      step(test, (s) => s.uses?.startsWith("actions/setup-node@") ?? false, "setup-node").with?.[
        "node-version-file"
      ],
    ).toBe(".nvmrc")
    expect(
      test.steps.some((s) => /go install helm\.sh\/helm\/v3\/cmd\/helm@v3\.\d+\.\d+/.test(s.run ?? "")),
    ).toBe(true)
    expect(test.steps.at(-1)?.run).toBe("bash .ci/run")
    const pg = test.services?.postgres
    expect(pg?.image).toMatch(/^postgres:\d+\.\d+-alpine@sha256:[a-f0-9]{64}$/)
    expect(pg?.ports).toEqual(["5432:5432"])
    // .ci/run connects as postgres without a password when the server is up.
    expect(pg?.env?.POSTGRES_HOST_AUTH_METHOD).toBe("trust")
    expect(readRepoFile(".ci/run")).toContain(
      'TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"',
    )
    expect(
      step(test, (s) => s.uses?.startsWith("actions/checkout@") ?? false, "checkout").with?.["fetch-depth"],
    ).toBe(0)
  })

  it("images: builds all three Dockerfiles with buildx on every run, cached, and scans each image", () => {
    const images = job("images")
    const dockerfiles = readdirSync(join(repoRoot, "deploy", "docker"))
      .filter((f) => f.endsWith(".Dockerfile"))
      .map((f) => f.replace(".Dockerfile", ""))
    expect([...(images.strategy?.matrix.app ?? [])].sort()).toEqual(dockerfiles.sort())
    const buildx = images.steps.findIndex((s) => s.uses?.startsWith("docker/setup-buildx-action@"))
    const build = images.steps.findIndex(
      (s) => s.uses?.startsWith("docker/build-push-action@") && s.with?.load === true,
    )
    expect(buildx).toBeGreaterThanOrEqual(0)
    expect(build).toBeGreaterThan(buildx)
    const b = images.steps[build] as Step
    expect(b.if).toBeUndefined() // pull requests too
    expect(b.with?.file).toBe("deploy/docker/${{ matrix.app }}.Dockerfile")
    expect(b.with?.context).toBe(".")
    expect(b.with?.["cache-from"]).toBe("type=gha,scope=${{ matrix.app }}")
    expect(b.with?.["cache-to"]).toBe("type=gha,scope=${{ matrix.app }},mode=max")
    const scan = images.steps.findIndex((s) => s.uses?.startsWith("anchore/scan-action@"))
    expect(scan).toBeGreaterThan(build)
    expect(images.steps[scan]?.with?.image).toBe(b.with?.tags)
    expect(images.steps[scan]?.with?.["fail-build"]).toBe(true)
    expect(images.steps[scan]?.if).toBeUndefined()
  })

  it("images: on main only, pushes to DOCR tagged with the commit SHA, with an SBOM and provenance", () => {
    const images = job("images")
    expect(images.env?.PUSH).toBe("${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}")
    expect(images.env?.IMAGE).toBe(
      "registry.digitalocean.com/${{ vars.DOCR_REGISTRY }}/todo-${{ matrix.app }}",
    )
    const login = step(images, (s) => s.uses?.startsWith("docker/login-action@") ?? false, "login")
    expect(login.if).toBe("env.PUSH == 'true'")
    expect(login.with?.registry).toBe("registry.digitalocean.com")
    const push = step(images, (s) => s.with?.push === true, "push")
    expect(push.if).toBe("env.PUSH == 'true'")
    expect(push.uses).toMatch(/^docker\/build-push-action@/)
    expect(push.with?.tags).toBe("${{ env.IMAGE }}:${{ github.sha }}")
    expect(push.with?.sbom).toBe(true)
    expect(push.with?.provenance).toBe("mode=max")
    expect(images.steps.indexOf(push)).toBeGreaterThan(
      images.steps.findIndex((s) => s.uses?.startsWith("anchore/scan-action@")),
    )
  })

  it("deploy: after test and images, on main, behind the production environment, helm upgrade --atomic of that SHA", () => {
    const deploy = job("deploy")
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'")
    expect([...(deploy.needs ?? [])].sort()).toEqual(["images", "test"])
    expect(deploy.environment?.name).toBe("production")
    const upgrade = step(deploy, (s) => (s.run ?? "").includes("helm upgrade"), "helm upgrade")
    const run = (upgrade.run ?? "").replace(/\\\n\s*/g, " ")
    expect(run).toContain("helm upgrade --install todo deploy/helm/todo-app --namespace todo")
    expect(run).toContain('-f deploy/helm/todo-app/values-doks.yaml -f "$RUNNER_TEMP/my-values.yaml"')
    expect(run).toContain('--set image.tag="$SHA"')
    expect(run).toContain("--atomic --wait")
    expect(run).not.toContain("--reuse-values")
    expect(upgrade.env?.SHA).toBe("${{ github.sha }}")
    // The registry the images job pushed to.
    expect(upgrade.env?.REGISTRY).toBe("registry.digitalocean.com/${{ vars.DOCR_REGISTRY }}")
    // Then the smoke test of the guide, against the public URL.
    const smoke = deploy.steps.indexOf(
      step(deploy, (s) => (s.run ?? "").startsWith("deploy/smoke.sh "), "smoke test"),
    )
    expect(smoke).toBeGreaterThan(deploy.steps.indexOf(upgrade))
  })

  const actionlint = findTool("actionlint")
  if (actionlint === undefined)
    console.warn("actionlint not found: the workflow lint is skipped (.ci/run installs it)")
  it.skipIf(actionlint === undefined)("passes actionlint", () => {
    const r = spawnSync(actionlint ?? "actionlint", ["-no-color", ".github/workflows/ci.yml"], {
      cwd: repoRoot,
      encoding: "utf8",
    })
    expect(r.stdout + r.stderr).toBe("")
    expect(r.status).toBe(0)
  })
})

describe("flake.nix and flake.lock", () => {
  const flake = readRepoFile("flake.nix")

  it("gives a dev shell with Node 24 and the tools the guide uses, on the common systems", () => {
    expect(flake).toContain('inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";')
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
      "curl",
      "openssl",
      "dnsutils",
    ])
    // No leftovers from the issue text it was written from.
    expect(flake).not.toMatch(/issue/i)
  })

  it("is locked: flake.lock pins the nixpkgs input flake.nix names to one revision and its hash", () => {
    interface Lock {
      readonly version: number
      readonly root: string
      readonly nodes: Record<
        string,
        {
          readonly inputs?: Record<string, string>
          readonly locked?: {
            type: string
            owner: string
            repo: string
            rev: string
            narHash: string
            lastModified: number
          }
          readonly original?: { type: string; owner: string; repo: string; ref?: string }
        }
      >
    }
    const lock = JSON.parse(readRepoFile("flake.lock")) as Lock
    expect(lock.version).toBe(7)
    expect(lock.nodes[lock.root]?.inputs).toEqual({ nixpkgs: "nixpkgs" })
    const nixpkgs = lock.nodes.nixpkgs
    const url = /inputs\.nixpkgs\.url = "github:([^/]+)\/([^/]+)\/([^"]+)";/.exec(flake)
    expect(nixpkgs?.original).toEqual({ type: "github", owner: url?.[1], repo: url?.[2], ref: url?.[3] })
    expect(nixpkgs?.locked?.rev).toMatch(/^[0-9a-f]{40}$/)
    expect(nixpkgs?.locked?.narHash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/)
    expect(nixpkgs?.locked).toMatchObject({ type: "github", owner: "NixOS", repo: "nixpkgs" })
  })
})

describe("docs/deploy-doks.md (its commands run in guide.test.ts)", () => {
  const doc = readRepoFile("docs/deploy-doks.md")

  it("builds amd64 images from the repo's Dockerfiles when not left to CI", () => {
    expect(doc).toContain("docker buildx build --platform linux/amd64")
    expect(doc).toContain("for app in api agent web; do")
    expect(doc).toContain("-f deploy/docker/$app.Dockerfile")
    for (const app of ["api", "agent", "web"]) {
      expect(existsSync(join(repoRoot, "deploy", "docker", `${app}.Dockerfile`))).toBe(true)
    }
  })

  it("never tells the operator to use ingress-nginx or --reuse-values", () => {
    const code = [...doc.matchAll(/^```(?:bash|sh)\n([\s\S]*?)^```$/gm)].map((m) => m[1]).join("\n")
    expect(code).not.toContain("ingress-nginx")
    expect(code).not.toContain("--reuse-values")
    // Credentials only ever pass through variables into --from-literal.
    expect(code).not.toMatch(/jq -r\b/)
    expect(code).not.toContain("--from-file")
  })

  it("states the monthly cost as approximate and dated, the Gateway's load balancer and the Dapr scheduler's volumes included", () => {
    const cost = doc.slice(doc.indexOf("## 18. Monthly cost"))
    expect(cost).toContain("approximate")
    expect(cost).toMatch(/as published in 20\d\d/)
    expect(cost).toMatch(/\*\*Total\*\*.*≈ \$\d+/)
    expect(cost).toMatch(/Load balancer \(the Gateway's\)/)
    expect(cost).toMatch(/Volumes: Dapr scheduler/)
  })
})

describe("pointers to the Dapr and stack notes", () => {
  const files = [
    ...listFiles(join(repoRoot, "docs"), [".md"]),
    ...listFiles(join(repoRoot, "deploy"), [".ts", ".yaml", ".tpl", ".md", ".sh", ".Dockerfile", ".conf"]),
    join(repoRoot, ".ci", "run"),
    join(repoRoot, ".github", "workflows", "ci.yml"),
  ]
    .map(rel)
    .filter((p) => !p.startsWith("deploy/test/schemas/"))

  it("point into docs/, never at the notes outside the repository", () => {
    const outside = new RegExp(`\\b(${["DAPR", "STACK"].join("|")})\\.md\\b`)
    const stale = files.filter((f) => outside.test(readRepoFile(f)))
    expect(stale).toEqual([])
  })

  it("name sections docs/dapr.md has", () => {
    const dapr = readRepoFile("docs/dapr.md")
    const sections = new Set([...dapr.matchAll(/^## (\d+)\. /gm)].map((m) => m[1]))
    expect(sections.size).toBeGreaterThanOrEqual(9)
    const cited = files.flatMap((f) =>
      [...readRepoFile(f).matchAll(/docs\/dapr\.md (§[\d, §]+)/g)].flatMap((m) =>
        [...(m[1] ?? "").matchAll(/§(\d+)/g)].map((n) => [f, n[1] ?? ""] as const),
      ),
    )
    expect(cited.length).toBeGreaterThan(5)
    for (const [file, n] of cited) expect(sections, `${file} cites docs/dapr.md §${n}`).toContain(n)
    expect(existsSync(join(repoRoot, "docs", "stack.md"))).toBe(true)
  })
})
