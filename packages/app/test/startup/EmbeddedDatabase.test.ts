import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
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
import { dirname, join } from "node:path"
import { freePort } from "@todo/runtime/EmbeddedPostgres"
import { REPO_ROOT } from "@todo/testkit/Processes"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"

/**
 * `npm start`'s database start-up (packages/app/src/main.ts without DATABASE_URL: the embedded server with its data
 * in .data/pg) run as a real process, the way a user runs it.
 */

const isRoot = process.getuid?.() === 0
if (!isRoot) console.warn("[app] not running as root: the root-only-directory start-up test is skipped")

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

const scratch = () => {
  // Under the repository so that hard links to it work (same file system); mkdtemp makes it 0700.
  mkdirSync(join(REPO_ROOT, ".data"), { recursive: true })
  const dir = mkdtempSync(join(REPO_ROOT, ".data", "startup-"))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Run {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
}

const runApp = (cwd: string, main: string, port: number): Run => {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), LOG_FORMAT: "json" }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, [main], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (d) => {
    stdout += d
  })
  child.stderr?.on("data", (d) => {
    stderr += d
  })
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  cleanups.push(() => child.kill("SIGKILL"))
  return { child, stdout: () => stdout, stderr: () => stderr, exit }
}

/** Resolves once `/ready` answers 200, or rejects with the process's output when it exits first. */
const ready = async (run: Run, port: number) => {
  for (;;) {
    if (run.child.exitCode !== null)
      throw new Error(`exited with ${run.child.exitCode}\n${run.stdout()}\n${run.stderr()}`)
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
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
      const run = runApp(clone, join(clone, "packages", "app", "src", "main.ts"), port)
      await ready(run, port)

      const link = join(clone, ".data", "pg")
      expect(lstatSync(link).isSymbolicLink()).toBe(true)
      const data = readlinkSync(link)
      cleanups.push(() => rmSync(dirname(data), { recursive: true, force: true }))
      expect(data).toMatch(/^\/var\/lib\/todo-app\/[0-9a-f]{16}\/pg$/)
      expect(statSync(data).uid).toBe(Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })))
      expect(run.stdout()).toContain(`${link} is out of the postgres user's reach: its data lives in ${data}`)

      // Stopped as Kubernetes or Ctrl-C would: the server goes with it (130 is Effect's exit code for an interrupt).
      run.child.kill("SIGTERM")
      expect(await run.exit).toBe(130)
      expect(run.stdout()).toMatch(/embedded PostgreSQL on port \d+ stopped/)
      expect(spawnSync("pgrep", ["-f", data]).status).toBe(1)
      expect(run.stderr()).toBe("")
    },
    90_000,
  )

  it("a server that cannot start is one line naming the cause and DATABASE_URL, no stack trace", async () => {
    const cwd = scratch()
    chmodSync(cwd, 0o755)
    // Something that is not a PostgreSQL cluster where the data should be: initdb refuses a non-empty directory.
    mkdirSync(join(cwd, ".data", "pg"), { recursive: true })
    writeFileSync(join(cwd, ".data", "pg", "notes.txt"), "not a database\n")
    const port = await Effect.runPromise(freePort)
    const run = runApp(cwd, join(REPO_ROOT, "packages", "app", "src", "main.ts"), port)
    expect(await run.exit).toBe(1)
    const lines = run.stderr().trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^embedded PostgreSQL could not start: initdb failed in .*: .*not empty/)
    expect(lines[0]).toContain("Set DATABASE_URL=")
    expect(run.stdout() + run.stderr()).not.toMatch(/\n\s+at /)
  }, 60_000)
})
