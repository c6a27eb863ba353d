// Startup cost of each composition root's module graph: what `node packages/<service>/src/main.ts` loads before its
// first line of its own runs. Each run is a fresh `node` that imports exactly what main.ts imports (without running
// main.ts, which would start a server), counting the modules loaded through a module hook. Reports per root: modules
// loaded, how many and how many bytes of them are the workspace's TypeScript (stripped of types at load), the wall
// time of the imports and the RSS after them (medians over --runs, roots interleaved). Module counts and bytes are
// exact; time and RSS move with the machine's load.
//   node scripts/bench/startup.ts [--runs=15]
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"

const REPO = resolve(import.meta.dirname, "..", "..")
const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice(7) ?? 15)
const ROOTS = ["api", "agent", "app"].map((p) => join(REPO, "packages", p, "src", "main.ts"))

/** main.ts's import specifiers, relative ones as file URLs (the probe runs from the package's directory). */
const importsOf = (main: string) =>
  [...readFileSync(main, "utf8").matchAll(/^import\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)].map(
    ([, spec]) => (spec!.startsWith(".") ? pathToFileURL(join(dirname(main), spec!)).href : spec!),
  )

const probe = (specs: ReadonlyArray<string>) => `
import { registerHooks } from "node:module"
import { statSync } from "node:fs"
import { fileURLToPath } from "node:url"
const loaded = new Set()
registerHooks({ load(url, context, next) { loaded.add(url); return next(url, context) } })
const started = performance.now()
for (const spec of ${JSON.stringify(specs)}) await import(spec)
const ms = performance.now() - started
const files = [...loaded].filter((u) => u.startsWith("file:"))
const own = files.filter((u) => !u.includes("/node_modules/") && /\\.tsx?$/.test(u))
console.log(JSON.stringify({
  ms,
  rssMB: process.memoryUsage().rss / 2 ** 20,
  modules: files.length,
  ownModules: own.length,
  ownKB: own.reduce((sum, u) => sum + statSync(fileURLToPath(u)).size, 0) / 1024,
}))
`

interface Sample {
  ms: number
  rssMB: number
  modules: number
  ownModules: number
  ownKB: number
}
const samples = new Map<string, Array<Sample>>(ROOTS.map((r) => [r, []]))
for (let i = 0; i < runs; i++)
  for (const main of ROOTS) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", probe(importsOf(main))], {
      cwd: dirname(main),
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    })
    if (run.status !== 0) throw new Error(`${main}: ${run.stderr}`)
    samples.get(main)!.push(JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Sample)
  }

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
console.log(`module graph of each composition root, median of ${runs} runs`)
console.log("root                       modules  workspace .ts  workspace KB  import ms  RSS MB")
for (const [main, rows] of samples) {
  const m = (k: keyof Sample) => median(rows.map((r) => r[k]))
  console.log(
    `${main.slice(REPO.length + 1).padEnd(26)} ${String(m("modules")).padStart(7)}  ${String(m("ownModules")).padStart(13)}  ${m("ownKB").toFixed(1).padStart(12)}  ${m("ms").toFixed(0).padStart(9)}  ${m("rssMB").toFixed(1).padStart(6)}`,
  )
}
