import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { waitUntilReady } from "./ApiClient.ts"

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..")

export interface ServiceProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote, for assertions on logs and for failure messages. */
  readonly output: () => string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  readonly stop: (graceMs?: number) => Promise<number | null>
  /** SIGKILL now, as a crash would. */
  readonly kill: () => Promise<number | null>
}

/**
 * Starts one of our services as a real child process (`node <script>`) with the given environment and waits until
 * its `/ready` answers. Used by the end-to-end tests that run api and agent apart, as in Kubernetes.
 */
export const startService = async (options: {
  readonly script: string
  readonly port: number
  readonly env: Record<string, string>
  readonly readyTimeoutMs?: number
}): Promise<ServiceProcess> => {
  const child = spawn(process.execPath, [join(REPO_ROOT, options.script)], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOG_FORMAT: "json",
      LOG_LEVEL: "debug",
      HOST: "127.0.0.1",
      ...options.env,
      PORT: String(options.port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout?.on("data", (d) => {
    output += d
  })
  child.stderr?.on("data", (d) => {
    output += d
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const url = `http://127.0.0.1:${options.port}`
  try {
    await waitUntilReady(url, {
      timeoutMs: options.readyTimeoutMs ?? 20_000,
      what: `${options.script} to be ready`,
      check: () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`)
      },
    })
  } catch (e) {
    child.kill("SIGKILL")
    throw new Error(`${String(e)}\n--- output of ${options.script} ---\n${output}`)
  }
  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null) return child.exitCode
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  const kill = async () => {
    if (child.exitCode !== null) return child.exitCode
    child.kill("SIGKILL")
    return exited
  }
  return { url, child, output: () => output, stop, kill }
}
