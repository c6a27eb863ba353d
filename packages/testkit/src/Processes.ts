import type { ChildProcess } from "node:child_process"
import { join } from "node:path"
import { waitUntilReady } from "./ApiClient.ts"
import { spawnManaged } from "./ProcessGroup.ts"

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..")

export interface ServiceProcess {
  readonly url: string
  readonly port: number
  /** The current process (a restart replaces it). */
  readonly child: ChildProcess
  /** Everything the process wrote (all its runs), for assertions on logs and for failure messages. */
  readonly output: () => string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  readonly stop: (graceMs?: number) => Promise<number | null>
  /** SIGKILL now, as a crash would. */
  readonly kill: () => Promise<number | null>
  /** Starts the service again on the same port with the same environment (after stop or kill). */
  readonly restart: () => Promise<void>
}

/**
 * Starts one of our services as a real child process (`node <script>`, in its own process group, never orphaned:
 * ProcessGroup.ts) with the given environment and waits until its `/ready` answers. Used by the tests that run api
 * and agent apart, as in Kubernetes.
 */
export const startService = async (options: {
  readonly script: string
  readonly port: number
  readonly env: Record<string, string>
  readonly readyTimeoutMs?: number
}): Promise<ServiceProcess> => {
  const env = {
    ...(process.env as Record<string, string>),
    LOG_FORMAT: "json",
    LOG_LEVEL: "debug",
    HOST: "127.0.0.1",
    ...options.env,
    PORT: String(options.port),
  }
  const url = `http://127.0.0.1:${options.port}`
  let earlier = ""
  const launch = async () => {
    const managed = spawnManaged({
      name: options.script,
      command: process.execPath,
      args: [join(REPO_ROOT, options.script)],
      cwd: REPO_ROOT,
      env,
    })
    try {
      await waitUntilReady(url, {
        timeoutMs: options.readyTimeoutMs ?? 20_000,
        what: `${options.script} to be ready`,
        check: () => {
          if (!managed.running()) throw new Error(`exited with ${managed.child.exitCode}`)
        },
      })
    } catch (e) {
      await managed.kill()
      throw new Error(`${String(e)}\n--- output of ${options.script} ---\n${managed.output()}`)
    }
    return managed
  }
  let current = await launch()
  const exitCode = async () => {
    await current.exited
    return current.child.exitCode
  }
  return {
    url,
    port: options.port,
    get child() {
      return current.child
    },
    output: () => earlier + current.output(),
    stop: async (graceMs = 5_000) => {
      await current.stop(graceMs)
      return exitCode()
    },
    kill: async () => {
      await current.kill()
      return exitCode()
    },
    restart: async () => {
      if (current.running()) throw new Error(`${options.script} is still running`)
      earlier += current.output()
      current = await launch()
    },
  }
}
