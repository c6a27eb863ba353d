// Upgrades: what `helm upgrade` does with values from an earlier release, and with a key set to null. Every
// case must end in a clean failure that names the key, or in a render that is valid against the API schemas;
// never in "<nil>" in a manifest (AUTH_SESSION_CACHE_MS: "<nil>" crash-looped the api) or a template crash.
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import {
  chartDir,
  findHelm,
  guideValuesFile,
  type HelmResult,
  helmMissingReason,
  helmTemplateArgs,
  helmTemplateRaw,
  parseDocuments,
  repoRoot,
  runAsync,
} from "./support.ts"
import { schemaErrors } from "./validate.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)

/** Earlier releases' values, copied from git history (the folder is the commit). */
const releasesDir = join(import.meta.dirname, "fixtures", "releases")
const releases = readdirSync(releasesDir).sort()

/** The --set flags the 2.0.0 guide installed with (they are part of a release's stored values too). */
const oldGuideSets = [
  "image.tag=2.0.0",
  "image.registry=registry.digitalocean.com/todo-registry",
  "ingress.host=todo.example.com",
  "config.publicUrl=https://todo.example.com",
  "config.adminEmails=you@example.com",
]

/** Runs the jobs two at a time (the machine has two cores). */
const inPairs = async <A, B>(items: ReadonlyArray<A>, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out: B[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i] as A)
    }
  }
  await Promise.all([worker(), worker()])
  return out
}

/** Every path of a values tree, objects included (api.autoscaling as well as api.autoscaling.enabled). */
const paths = (node: unknown, prefix = ""): string[] => {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return []
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix === "" ? k : `${prefix}.${k}`
    return [path, ...paths(v, path)]
  })
}

/** A render is acceptable when it failed with a message naming the key, or when it is valid and has no <nil>. */
const verdict = (r: HelmResult, key: string): string | undefined => {
  if (r.status !== 0) {
    if (/nil pointer|<nil>|panic/.test(r.stderr)) return `template crash: ${r.stderr.trim()}`
    const leaf = key.split(".").at(-1) as string
    if (!r.stderr.includes(leaf)) return `failed without naming ${leaf}: ${r.stderr.trim()}`
    return undefined
  }
  if (r.stdout.includes("<nil>")) return "rendered <nil>"
  const errors = parseDocuments(r.stdout).flatMap(schemaErrors)
  return errors.length > 0 ? `rendered invalid objects: ${errors.join("; ")}` : undefined
}

describe("previous releases' values, from git history", () => {
  it.each(releases)("fixtures/releases/%s are the chart's values files at that commit", (commit) => {
    const known = spawnSync("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: repoRoot })
    if (known.status !== 0) return // a shallow clone: the fixtures stand on their own
    for (const file of ["values.yaml", "values-doks.yaml"]) {
      const shown = spawnSync("git", ["show", `${commit}:deploy/helm/todo-app/${file}`], {
        cwd: repoRoot,
        encoding: "utf8",
      })
      expect(readFileSync(join(releasesDir, commit, file), "utf8"), `${commit} ${file}`).toBe(shown.stdout)
    }
  })
})

describe.skipIf(helm === undefined)("helm upgrade with values from an earlier release", () => {
  const h = helm ?? "helm"
  let tmp = ""
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "todo-upgrade-"))
  })
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
  })

  // `--reuse-values` replaces the new chart's defaults by the old release's (helm's upgrade.go: chart.Values =
  // the old chart's values coalesced with the old user values). Simulated by giving the new chart the old
  // release's values.yaml, and the old user values (values-doks.yaml and the 2.0.0 guide's --set flags).
  it.each(releases)(
    "--reuse-values from the release at %s fails cleanly, naming the keys it lacks",
    (commit) => {
      const chart = join(tmp, `chart-${commit}`)
      cpSync(chartDir, chart, { recursive: true })
      cpSync(join(releasesDir, commit, "values.yaml"), join(chart, "values.yaml"))
      const r = helmTemplateRaw(
        h,
        ["-f", join(releasesDir, commit, "values-doks.yaml"), ...oldGuideSets.flatMap((s) => ["--set", s])],
        chart,
      )
      expect(r.status).not.toBe(0)
      expect(r.stdout).not.toContain("<nil>")
      expect(r.stderr).toContain("values don't meet the specifications of the schema")
      expect(r.stderr).toMatch(/missing propert(y|ies) .*'networkPolicy'/)
      // The release from before the session cache existed also lacks config.authSessionCacheMs, which rendered
      // AUTH_SESSION_CACHE_MS: "<nil>" before every key was required.
      const hadCache = (
        parse(readFileSync(join(releasesDir, commit, "values.yaml"), "utf8")) as {
          config: Record<string, unknown>
        }
      ).config.authSessionCacheMs
      if (hadCache === undefined)
        expect(r.stderr).toMatch(/at '\/config': missing propert(y|ies) .*'authSessionCacheMs'/)
    },
  )

  it.each(releases)(
    "the guide's upgrade (-f values-doks.yaml -f my-values.yaml) over the release at %s renders valid objects",
    (commit) => {
      // The old release's own values file is not reused: the guide's files are passed again.
      expect(existsSync(join(releasesDir, commit, "values-doks.yaml"))).toBe(true)
      const r = helmTemplateRaw(h, [
        "-f",
        join(chartDir, "values-doks.yaml"),
        "-f",
        guideValuesFile(tmp),
        "--set",
        "image.tag=2.1.0",
      ])
      expect(verdict(r, "")).toBeUndefined()
      expect(r.status).toBe(0)
    },
  )
})

describe.skipIf(helm === undefined)("every values key set to null", () => {
  const h = helm ?? "helm"
  let tmp = ""
  const keys = paths(parse(readFileSync(join(chartDir, "values.yaml"), "utf8")))
  const results = new Map<string, string | undefined>()

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "todo-null-"))
    const myValues = guideValuesFile(tmp)
    writeFileSync(join(tmp, "keys.txt"), keys.join("\n"))
    // The production values (where upgrades happen); the schema requires every key whatever the values files.
    const configs: Array<[string, string[]]> = [
      ["doks", ["-f", join(chartDir, "values-doks.yaml"), "-f", myValues]],
    ]
    const jobs = configs.flatMap(([name, args]) => keys.map((key) => [name, args, key] as const))
    const verdicts = await inPairs(jobs, async ([, args, key]) =>
      verdict(await runAsync(h, helmTemplateArgs([...args, "--set", `${key}=null`])), key),
    )
    jobs.forEach(([name, , key], i) => {
      results.set(`${name} ${key}`, verdicts[i])
    })
  }, 240_000)
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
  })

  it("covers every key of values.yaml, objects and leaves", () => {
    expect(keys.length).toBeGreaterThan(100)
    for (const key of [
      "config.pgMaxConnections",
      "config.authSessionCacheMs",
      "api.autoscaling",
      "api.autoscaling.enabled",
    ])
      expect(keys).toContain(key)
  })

  it("ends in a clean failure naming the key, or a valid render; never <nil> or a template crash", () => {
    const bad = [...results.entries()].filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`)
    expect(bad).toEqual([])
    expect(results.size).toBe(keys.length)
  })
})
