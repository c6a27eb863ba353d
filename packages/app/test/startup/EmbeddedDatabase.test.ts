import { execFileSync, spawnSync } from "node:child_process"
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { freePort } from "@todo/runtime/embedded-postgres"
import { REPO_ROOT } from "@todo/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { APP_MAIN, killLaunched, launch, scratchDir, whenReady } from "./support/Launch.ts"

/**
 * `npm start`'s database start-up (packages/app/src/main.ts without DATABASE_URL: the embedded server with its data
 * in .data/pg) run as a real process, the way a user runs it.
 */

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn("[app] not running as root: the root-only-directory start-up test is skipped")

const cleanups: Array<() => void> = []
afterEach(() => {
  killLaunched()
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

const scratch = () => {
  const { dir, remove } = scratchDir()
  cleanups.push(remove)
  return dir
}

describe("npm start's embedded database", () => {
  it.skipIf(!isRoot)(
    "starts as root from a clone only root can enter (mode 0700), binaries and data out of the postgres user's reach",
    async () => {
      const root = scratch()
      expect(statSync(root).mode & 0o777).toBe(0o700)
      // A clone inside the 0700 directory: hard links, so its node_modules (with the PostgreSQL binaries) really
      // are in there, as after `git clone … && npm install` inside /root.
      const clone = join(root, "todo-app")
      mkdirSync(clone)
      for (const entry of ["package.json", "node_modules", "contracts", "packages"])
        execFileSync("cp", ["-al", join(REPO_ROOT, entry), join(clone, entry)])
      const port = await Effect.runPromise(freePort)
      const app = launch(join(clone, "packages", "app", "src", "main.ts"), {
        cwd: clone,
        env: { PORT: String(port) },
      })
      await whenReady(app, port)

      const link = join(clone, ".data", "pg")
      expect(lstatSync(link).isSymbolicLink()).toBe(true)
      const data = readlinkSync(link)
      cleanups.push(() => rmSync(dirname(data), { recursive: true, force: true }))
      expect(data).toMatch(/^\/var\/lib\/todo-app\/[0-9a-f]{16}\/pg$/)
      expect(statSync(data).uid).toBe(Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })))
      expect(app.stdout()).toContain(`${link} is out of the postgres user's reach: its data lives in ${data}`)

      // Stopped as Kubernetes or Ctrl-C would: the server goes with it (130 is Effect's exit code for an interrupt).
      app.child.kill("SIGTERM")
      expect(await app.exit).toBe(130)
      expect(app.stdout()).toMatch(/embedded PostgreSQL on port \d+ stopped/)
      expect(spawnSync("pgrep", ["-f", data]).status).toBe(1)
      expect(app.stderr()).toBe("")
    },
    90_000,
  )

  it("a server that cannot start is one line naming the cause and DATABASE_URL, no stack trace", async () => {
    // In the system's temp dir: a directory the postgres user can reach, wherever this checkout is.
    const cwd = mkdtempSync(join(tmpdir(), "todo-startup-"))
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }))
    chmodSync(cwd, 0o755)
    // Something that is not a PostgreSQL cluster where the data should be: initdb refuses a non-empty directory.
    mkdirSync(join(cwd, ".data", "pg"), { recursive: true })
    writeFileSync(join(cwd, ".data", "pg", "notes.txt"), "not a database\n")
    const app = launch(APP_MAIN, { cwd, env: { PORT: String(await Effect.runPromise(freePort)) } })
    expect(await app.exit).toBe(1)
    const lines = app.stderr().trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^embedded PostgreSQL could not start: initdb failed in .*: .*not empty/)
    expect(lines[0]).toContain("Set DATABASE_URL=")
    expect(app.stdout() + app.stderr()).not.toMatch(/\n\s+at /)
  }, 60_000)
})
