// `npm run bench`: runs every benchmark in scripts/bench/*.ts, one after another, in name order, each as its own
// `node` process (so one's warm-up, pools and garbage never skew the next). Arguments after `--` go to every
// benchmark; `BENCH=backbone npm run bench` runs only the ones whose file name contains one of the comma-separated
// words. Exits non-zero if any benchmark does. Results are written up by hand in docs/BENCHMARKS.md.
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"

const dir = join(import.meta.dirname, "bench")
const only = (process.env.BENCH ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "")
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort()

if (files.length === 0) {
  console.error(`no benchmarks in ${dir}${only.length > 0 ? ` matching ${only.join(", ")}` : ""}`)
  process.exit(1)
}

let failed = 0
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const started = Date.now()
  const run = spawnSync(process.execPath, [join(dir, file), ...process.argv.slice(2)], { stdio: "inherit" })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (run.status === 0) console.log(`=== ${file}: done in ${seconds} s ===`)
  else {
    failed++
    console.log(`=== ${file}: FAILED (${run.signal ?? `exit ${run.status}`}) after ${seconds} s ===`)
  }
}
process.exit(failed > 0 ? 1 : 0)
