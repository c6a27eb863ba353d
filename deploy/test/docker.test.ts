// The images: deploy/docker/{api,agent,web}.Dockerfile, the nginx config and .dockerignore.
// No Docker engine here, so the Dockerfiles are checked statically against the repository.
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "@todo/runtime"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { dockerDir, readRepoFile, repoRoot } from "./support.ts"

interface Instruction {
  readonly keyword: string
  readonly args: string
  readonly line: number
}

/** Instructions of a Dockerfile: comments dropped, backslash continuations joined. */
const parseDockerfile = (text: string): Instruction[] => {
  const out: Instruction[] = []
  let buffer = ""
  let start = 0
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd()
    if (buffer === "" && (line.trim() === "" || line.trimStart().startsWith("#"))) return
    if (buffer !== "" && line.trimStart().startsWith("#")) return
    if (buffer === "") start = i + 1
    if (line.endsWith("\\")) {
      buffer += `${line.slice(0, -1)} `
      return
    }
    buffer += line
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buffer)
    if (m !== null) out.push({ keyword: (m[1] ?? "").toUpperCase(), args: (m[2] ?? "").trim(), line: start })
    buffer = ""
  })
  return out
}

/** Sources and destination of a COPY/ADD (shell or JSON form), with its --flags. */
const parseCopy = (args: string): { flags: string[]; sources: string[]; dest: string } => {
  const words = args.split(/\s+/).filter((w) => w !== "")
  const flags = words.filter((w) => w.startsWith("--"))
  const rest = words.filter((w) => !w.startsWith("--"))
  const joined = rest.join(" ")
  const paths = joined.startsWith("[") ? (JSON.parse(joined) as string[]) : rest
  return { flags, sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? "" }
}

// .dockerignore matching as BuildKit does it: last matching pattern wins, "!" re-includes, a path is
// excluded when it or one of its parent directories matches.
const dockerignore = readRepoFile(".dockerignore")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"))
const toRegex = (pattern: string): RegExp => {
  const p = pattern.replace(/^\/+/, "").replace(/\/+$/, "")
  let out = ""
  for (let i = 0; i < p.length; i++) {
    const ch = p[i] ?? ""
    if (ch === "*" && p[i + 1] === "*") {
      // "**/" matches zero or more directories, a trailing "**" anything.
      if (p[i + 2] === "/") {
        out += "(?:.*/)?"
        i += 2
      } else {
        out += ".*"
        i += 1
      }
    } else if (ch === "*") out += "[^/]*"
    else if (ch === "?") out += "[^/]"
    else out += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")
  }
  return new RegExp(`^${out}$`)
}
const rules = dockerignore.map((l) => ({ negate: l.startsWith("!"), re: toRegex(l.replace(/^!/, "")) }))
const isIgnored = (path: string): boolean => {
  const parts = path.replace(/^\.\//, "").split("/")
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"))
  let ignored = false
  for (const rule of rules) {
    if (candidates.some((c) => rule.re.test(c))) ignored = !rule.negate
  }
  return ignored
}

// Workspaces: package name -> folder, and the workspace packages an app depends on (transitively).
const workspaceDirs = [
  "contracts",
  ...readdirSync(join(repoRoot, "packages")).map((d) => `packages/${d}`),
].filter((d) => existsSync(join(repoRoot, d, "package.json")))
interface PackageJson {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly scripts?: Record<string, string>
}
const pkg = (dir: string) => JSON.parse(readRepoFile(`${dir}/package.json`)) as PackageJson
const dirOf = new Map(workspaceDirs.map((d) => [pkg(d).name, d]))
const workspaceClosure = (dir: string): string[] => {
  const seen = new Set<string>([dir])
  const queue = [dir]
  while (queue.length > 0) {
    const current = queue.pop() as string
    for (const dep of Object.keys(pkg(current).dependencies ?? {})) {
      const d = dirOf.get(dep)
      if (d !== undefined && !seen.has(d)) {
        seen.add(d)
        queue.push(d)
      }
    }
  }
  return [...seen].sort()
}

const webExists = existsSync(join(repoRoot, "packages", "web", "package.json"))
const webSkipReason =
  "packages/web does not exist yet: the web Dockerfile's COPY sources under packages/web and its build " +
  "script are not checked until it does."
if (!webExists) console.warn(webSkipReason)

const images = [
  { name: "api", file: "api.Dockerfile", port: 4000, workspace: "packages/api" },
  { name: "agent", file: "agent.Dockerfile", port: 5000, workspace: "packages/agent" },
  { name: "web", file: "web.Dockerfile", port: 8080, workspace: "packages/web" },
] as const

describe.each(images)("$file", ({ name, file, port, workspace }) => {
  const instructions = parseDockerfile(readFileSync(join(dockerDir, file), "utf8"))
  const of = (keyword: string) => instructions.filter((i) => i.keyword === keyword)
  const stages = of("FROM").map((f) => {
    const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(f.args)
    return { image: m?.[1] ?? "", alias: m?.[2] }
  })
  const aliases = new Set(stages.map((s) => s.alias).filter((a) => a !== undefined))
  const copies = of("COPY").map((c) => ({ ...parseCopy(c.args), line: c.line }))
  const localCopies = copies.filter((c) => !c.flags.some((f) => f.startsWith("--from=")))
  const skippable = (source: string) => name === "web" && !webExists && source.startsWith("packages/web")

  it("is multi-stage and every base image is pinned by digest, with its version tag (never latest)", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    const digestOf = new Map<string, string>()
    for (const { image } of stages) {
      if (aliases.has(image)) continue
      const m = /^([^:@\s]+):([^@\s]+)(@sha256:[a-f0-9]{64})?$/.exec(image)
      expect(m, `${image} must carry a tag`).not.toBeNull()
      expect(m?.[2]).not.toBe("latest")
      expect(m?.[2], image).toMatch(/^\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/)
      // A tag can be pushed again; the digest cannot.
      expect(m?.[3], `${image} must be pinned by digest`).toMatch(/^@sha256:[a-f0-9]{64}$/)
      const tag = `${m?.[1]}:${m?.[2]}`
      expect(digestOf.get(tag) ?? m?.[3], `${tag}: one digest in every stage`).toBe(m?.[3])
      digestOf.set(tag, m?.[3] ?? "")
    }
    const nodeImages = stages.map((s) => s.image).filter((i) => i.startsWith("node:"))
    expect(nodeImages.length).toBeGreaterThanOrEqual(1)
    for (const i of nodeImages) expect(i).toMatch(/^node:24\.\d+\.\d+-slim@sha256:[a-f0-9]{64}$/)
  })

  it("every COPY source exists in the repository and is not excluded by .dockerignore", () => {
    expect(localCopies.length).toBeGreaterThan(0)
    for (const { sources, line } of localCopies) {
      for (const source of sources) {
        if (skippable(source)) continue
        expect(existsSync(join(repoRoot, source)), `${file}:${line} COPY ${source}`).toBe(true)
        expect(isIgnored(source), `${file}:${line} COPY ${source} is excluded by .dockerignore`).toBe(false)
      }
    }
    for (const { flags, line } of copies.filter((c) => c.flags.some((f) => f.startsWith("--from=")))) {
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length) ?? ""
      expect(aliases.has(from), `${file}:${line} copies from unknown stage ${from}`).toBe(true)
    }
  })

  it("has no HEALTHCHECK (Kubernetes probes) and ends as a non-root numeric USER", () => {
    expect(of("HEALTHCHECK")).toEqual([])
    const users = of("USER")
    expect(users.length).toBeGreaterThanOrEqual(1)
    const last = users[users.length - 1]?.args ?? ""
    expect(last).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/) // numeric, so runAsNonRoot can verify it
    // USER comes after the last FROM, i.e. it applies to the final stage.
    const lastFrom = of("FROM").at(-1)?.line ?? 0
    expect(users.at(-1)?.line ?? 0).toBeGreaterThan(lastFrom)
  })

  it(`exposes port ${port}`, () => {
    expect(of("EXPOSE").map((e) => e.args)).toEqual([String(port)])
  })

  if (name === "api" || name === "agent") {
    it("installs production dependencies only, for its own workspace", () => {
      const runs = of("RUN").map((r) => r.args)
      const ci = runs.find((r) => r.includes("npm ci"))
      expect(ci).toBeDefined()
      expect(ci).toContain("--omit=dev")
      expect(ci).toContain(`--workspace=@todo/${name}`)
      expect(runs.some((r) => /npm (run )?build/.test(r))).toBe(false)
    })

    it("copies the package.json and runtime folders of every workspace it depends on, and nothing more", () => {
      const closure = workspaceClosure(workspace)
      expect(closure).toContain("packages/runtime")
      const copied = localCopies.flatMap((c) => c.sources)
      const manifests = copied
        .filter((s) => s.endsWith("/package.json"))
        .map((s) => s.replace(/\/package\.json$/, ""))
      expect(manifests.sort()).toEqual(closure)
      // Every top-level folder of those workspaces except tests and build output is needed at run
      // time (src, and e.g. packages/runtime/migrations, which Migrations.ts reads).
      const notShipped = new Set(["test", "tests", "node_modules", "dist", "coverage"])
      const runtimeFolders = closure.flatMap((dir) =>
        readdirSync(join(repoRoot, dir), { withFileTypes: true })
          .filter((e) => e.isDirectory() && !notShipped.has(e.name) && !e.name.startsWith("."))
          .map((e) => `${dir}/${e.name}`),
      )
      expect(runtimeFolders).toContain("packages/runtime/migrations")
      const folders = copied.filter(
        (s) => !s.endsWith("/package.json") && !s.includes(".") && s.includes("/"),
      )
      expect(folders.sort()).toEqual(runtimeFolders.sort())
      expect(copied.filter((s) => !s.endsWith("/package.json") && !folders.includes(s)).sort()).toEqual(
        [".npmrc", "package-lock.json", "package.json"].sort(),
      )
    })

    it("starts the service's main.ts, which exists", () => {
      const cmd = of("CMD")
      expect(cmd).toHaveLength(1)
      expect(of("ENTRYPOINT")).toEqual([])
      const argv = JSON.parse(cmd[0]?.args ?? "[]") as string[]
      expect(argv).toEqual(["node", `${workspace}/src/main.ts`])
      expect(existsSync(join(repoRoot, argv[1] ?? "")), `${argv[1]} (the image's start script)`).toBe(true)
      const env = of("ENV")
        .map((e) => e.args)
        .join(" ")
      expect(env).toContain(`PORT=${port}`)
      expect(env).toContain("HOST=0.0.0.0")
    })

    it("holds the migration script the hook Job runs and the SQL it applies", () => {
      const sources = localCopies.flatMap((c) => c.sources)
      expect(sources).toContain("packages/runtime/src")
      expect(sources).toContain("packages/runtime/migrations")
      expect(
        existsSync(join(repoRoot, "packages/runtime/src/bin/migrate.ts")),
        "packages/runtime/src/bin/migrate.ts",
      ).toBe(true)
      const sql = readdirSync(join(repoRoot, "packages/runtime/migrations")).filter((f) => f.endsWith(".sql"))
      expect(sql.length).toBeGreaterThan(0)
    })
  }

  if (name === "web") {
    it("builds the SPA and serves packages/web/dist with nginx-unprivileged and the repo's nginx config", () => {
      const runs = of("RUN").map((r) => r.args)
      expect(runs.some((r) => r.includes("npm run build --workspace=@todo/web"))).toBe(true)
      expect(stages.at(-1)?.image).toMatch(
        /^nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-alpine@sha256:[a-f0-9]{64}$/,
      )
      const final = copies.filter((c) => c.line > (of("FROM").at(-1)?.line ?? 0))
      expect(final.map((c) => [c.sources, c.dest])).toEqual([
        [["deploy/docker/nginx/default.conf"], "/etc/nginx/conf.d/default.conf"],
        [["/app/packages/web/dist"], "/usr/share/nginx/html"],
      ])
      expect(of("CMD")).toEqual([]) // the base image's nginx -g 'daemon off;'
    })

    it.skipIf(!webExists)("packages/web has the build script the image runs", () => {
      expect(pkg("packages/web").name).toBe("@todo/web")
      expect(pkg("packages/web").scripts?.build).toBeDefined()
    })
  }
})

describe("all three images", () => {
  it("build on one Node image, byte for byte", () => {
    const nodes = images.flatMap(({ file }) =>
      parseDockerfile(readFileSync(join(dockerDir, file), "utf8"))
        .filter((i) => i.keyword === "FROM" && i.args.startsWith("node:"))
        .map((i) => i.args.split(/\s+/)[0]),
    )
    expect(nodes.length).toBe(5)
    expect(new Set(nodes).size).toBe(1)
  })
})

describe("nginx config for the SPA", () => {
  const conf = readRepoFile("deploy/docker/nginx/default.conf")
  const block = (location: string): string => {
    const start = conf.indexOf(`location ${location} {`)
    expect(start, `location ${location}`).toBeGreaterThanOrEqual(0)
    return conf.slice(start, conf.indexOf("}", start))
  }

  it("listens on 8080 (unprivileged) and answers the probe path", () => {
    expect(conf).toMatch(/^\s*listen 8080;$/m)
    expect(block("= /healthz")).toContain('return 200 "ok\\n";')
  })

  it("caches hashed assets for a year, never caches index.html, and falls back to index.html", () => {
    expect(block("/assets/")).toContain(
      'add_header Cache-Control "public, max-age=31536000, immutable" always;',
    )
    expect(block("/assets/")).toContain("try_files $uri =404;")
    expect(block("= /index.html")).toContain('add_header Cache-Control "no-cache" always;')
    expect(block("/")).toContain("try_files $uri /index.html;")
  })

  it("sends the API's security headers (the same CSP) on every page and asset", () => {
    for (const location of ["/assets/", "= /index.html", "/"]) {
      expect(block(location)).toContain(
        `add_header Content-Security-Policy "${CONTENT_SECURITY_POLICY}" always;`,
      )
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        const header = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
        expect(block(location).toLowerCase(), `${location} ${name}`).toContain(
          `add_header ${header} "${value}" always;`.toLowerCase(),
        )
      }
    }
  })
})

describe(".dockerignore", () => {
  it("keeps dependencies, local data, tools, tests, docs and git out of the build context", () => {
    for (const path of [
      "node_modules",
      "packages/api/node_modules",
      ".data",
      ".tools",
      ".git",
      "docs",
      "packages/api/test",
      "deploy/test",
      "packages/web/dist",
      ".env",
      ".env.production",
    ]) {
      expect(isIgnored(path), path).toBe(true)
    }
  })

  it("keeps what the Dockerfiles need", () => {
    for (const path of [
      "package.json",
      "package-lock.json",
      ".npmrc",
      "packages/api/src/main.ts",
      "contracts/src",
      "deploy/docker/nginx/default.conf",
    ]) {
      expect(isIgnored(path), path).toBe(false)
    }
  })
})
