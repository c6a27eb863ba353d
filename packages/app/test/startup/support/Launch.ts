import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import { REPO_ROOT } from "@todo/testkit"

/**
 * A composition root (`packages/*\/src/main.ts`) run as a real process, the way `npm start`, `npm run start:api`
 * and `npm run start:agent` run it, for assertions on what it prints and how it exits.
 */
export interface Launched {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
}

const running = new Set<ChildProcess>()

/** SIGKILLs whatever a test left running (for `afterEach`). */
export const killLaunched = () => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}

/** Runs `main` with exactly `env` on top of PATH/HOME (nothing else leaks in: no DATABASE_URL by accident). */
export const launch = (
  main: string,
  options: { readonly cwd?: string; readonly env: Record<string, string> },
) => {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    LOG_FORMAT: "json",
    ...options.env,
  }
  const child = spawn(process.execPath, [main], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  })
  running.add(child)
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (d) => {
    stdout += d
  })
  child.stderr?.on("data", (d) => {
    stderr += d
  })
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child)
      resolve(code)
    }),
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exit } satisfies Launched
}

/** Resolves once `/ready` answers 200; rejects with the process's output when it exits first. */
export const whenReady = async (launched: Launched, port: number) => {
  for (;;) {
    if (launched.child.exitCode !== null)
      throw new Error(`exited with ${launched.child.exitCode}\n${launched.stdout()}\n${launched.stderr()}`)
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A fresh directory under the repository's .data (same file system as the checkout; mode 0700). */
export const scratchDir = () => {
  mkdirSync(join(REPO_ROOT, ".data"), { recursive: true })
  const dir = mkdtempSync(join(REPO_ROOT, ".data", "startup-"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export const API_MAIN = join(REPO_ROOT, "packages", "api", "src", "main.ts")
export const AGENT_MAIN = join(REPO_ROOT, "packages", "agent", "src", "main.ts")
export const APP_MAIN = join(REPO_ROOT, "packages", "app", "src", "main.ts")
