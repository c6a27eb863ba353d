import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { REPO_ROOT } from "@todo/testkit"
import { describe, expect, it } from "vitest"

/** The first Node older than the required one on this machine (Debian's is 20), to run the guard for real. */
const required = Number(readFileSync(join(REPO_ROOT, ".nvmrc"), "utf8").trim())
const oldNode = ["/usr/bin/node", "/usr/local/bin/node", "/opt/homebrew/bin/node"].find((path) => {
  if (!existsSync(path)) return false
  const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout
  return Number(version.replace(/^v/, "").split(".")[0]) < required
})
const oldNpm =
  oldNode && existsSync(join(dirname(oldNode), "npm")) ? join(dirname(oldNode), "npm") : undefined
if (!oldNode)
  console.warn(
    `[app] no Node older than ${required} on this machine: the old-Node guard runs only on this one`,
  )

const guard = join(REPO_ROOT, "scripts", "require-node.cjs")
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>
}

describe("Node version guard", () => {
  it("is what npm runs before install, start, test and the services", () => {
    for (const hook of ["preinstall", "prestart", "pretest", "prestart:api", "prestart:agent"])
      expect(manifest.scripts[hook], hook).toBe("node scripts/require-node.cjs")
  })

  it("says nothing and lets the command run on this Node", () => {
    const run = spawnSync(process.execPath, [guard], { encoding: "utf8" })
    expect(run.status).toBe(0)
    expect(run.stdout + run.stderr).toBe("")
  })

  it.skipIf(!oldNode)("stops an older Node with one line saying what is needed and how to get it", () => {
    const run = spawnSync(oldNode!, [guard], { encoding: "utf8" })
    expect(run.status).toBe(1)
    const lines = run.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`needs Node\\.js ${required} or newer \\(this is v\\d+`))
    expect(lines[0]).toMatch(/nvm install/)
    expect(run.stdout).toBe("")
  })

  // `npm install` itself is not run here: npm installs the dependencies before the root `preinstall` runs, which
  // would rewrite this checkout's node_modules with an old Node. `npm run preinstall` runs the same hook.
  // The variable keeps a broken `pretest` hook from running this suite again, recursively, under the old Node.
  it.skipIf(!oldNpm || process.env.TODO_NODE_GUARD_PROBE)(
    "npm start, npm test and the install hook stop at the guard under the older Node",
    () => {
      const env = { ...process.env, PATH: `${dirname(oldNode!)}:/usr/bin:/bin`, TODO_NODE_GUARD_PROBE: "1" }
      for (const args of [["run", "preinstall"], ["start"], ["run", "start:api"], ["test"]]) {
        const run = spawnSync(oldNpm!, args, { cwd: REPO_ROOT, encoding: "utf8", env })
        expect(run.status, args.join(" ")).not.toBe(0)
        const said = run.stderr.split("\n").filter((l) => l.includes("needs Node.js"))
        expect(said, args.join(" ")).toHaveLength(1)
        expect(run.stderr + run.stdout, args.join(" ")).not.toMatch(/Unknown file extension|ERR_|\n\s+at /)
      }
    },
  )
})
