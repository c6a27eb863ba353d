// Keeps package-lock.json complete for every platform. When the npm registry that ran `npm install` does not serve
// another platform's optional binary (e.g. @biomejs/cli-darwin-arm64 on a Linux-only mirror), npm leaves that
// package out of the lockfile, and `npm ci` then refuses the lockfile everywhere ("Missing: … from lock file").
// This adds the missing optional entries with their os/cpu constraints, exactly as a full registry would have
// written them; `npm ci` skips them on platforms they do not match. Runs as the root `postinstall`.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

interface LockEntry {
  version?: string
  dev?: boolean
  optional?: boolean
  os?: Array<string>
  cpu?: Array<string>
  libc?: Array<string>
  optionalDependencies?: Record<string, string>
}

const file = join(import.meta.dirname, "..", "package-lock.json")
const lock = JSON.parse(readFileSync(file, "utf8")) as { packages: Record<string, LockEntry> }
const platform = /(android|darwin|linux|win32|freebsd)-(arm64|x64|arm|ia32)(?:-(musl|gnu|msvc))?$/

let added = 0
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${name}`]) continue
    const m = name.match(platform)
    if (!m) continue
    lock.packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [m[1]!],
      cpu: [m[2]!],
      ...(m[1] === "linux" ? { libc: [m[3] === "musl" ? "musl" : "glibc"] } : {}),
    }
    added++
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
  )
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
  console.log(`lockfile-platforms: added ${added} optional platform entries to package-lock.json`)
}
