import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import type { Writable } from "node:stream"

/**
 * Child processes in their own process group, stopped with their whole group, and never orphaned: each is
 * registered with a reaper process (Reaper.ts) that SIGKILLs whatever is left when this process exits, however it
 * exits, and with an exit hook that does the same synchronously on a normal exit.
 */

let reaper: Writable | undefined
const live = new Set<number>()

const reaperInput = (): Writable | undefined => {
  if (reaper) return reaper
  const child = spawn(process.execPath, [join(import.meta.dirname, "Reaper.ts")], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  })
  child.unref()
  const stdin = child.stdin
  if (!stdin)
    return undefined
    // The pipe must not keep this process alive; EPIPE (reaper gone) is not our failure.
  ;(stdin as unknown as { unref?: () => void }).unref?.()
  stdin.on("error", () => {})
  reaper = stdin
  process.once("exit", () => {
    for (const pgid of live) {
      try {
        process.kill(-pgid, "SIGKILL")
      } catch {
        // already gone
      }
    }
  })
  return reaper
}

export interface Managed {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  /** Everything the process wrote to stdout and stderr so far. */
  readonly output: () => string
  /** Resolves when the process has exited (with its code, or the signal's name). */
  readonly exited: Promise<number | string | null>
  readonly running: () => boolean
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first or on timeout. */
  readonly waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
  readonly stop: (graceMs?: number) => Promise<void>
  /** SIGKILL to the group now, as a crash (or the OOM killer) would. */
  readonly kill: () => Promise<void>
}

const MAX_OUTPUT = 4 * 1024 * 1024

export const spawnManaged = (options: {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly cwd?: string
}): Managed => {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? (process.env as Record<string, string>),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`)
  live.add(pid)
  reaperInput()?.write(`+${pid}\n`)
  let output = ""
  const listeners = new Set<() => void>()
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8")
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT / 2)
    for (const l of listeners) l()
  }
  child.stdout?.on("data", append)
  child.stderr?.on("data", append)
  const exited = new Promise<number | string | null>((resolve) => {
    child.once("exit", (code, signal) => {
      // The group may hold children of the process: the group goes with it.
      try {
        process.kill(-pid, "SIGKILL")
      } catch {
        // no one left
      }
      live.delete(pid)
      reaper?.write(`-${pid}\n`)
      for (const l of listeners) l()
      resolve(code ?? signal)
    })
  })
  const running = () => child.exitCode === null && child.signalCode === null

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal)
    } catch {
      // already gone
    }
  }

  const waitForOutput = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern)
        if (match) return done(() => resolve(match))
        if (!running())
          done(() =>
            reject(new Error(`${options.name} exited before printing ${pattern}:\n${output.slice(-4000)}`)),
          )
      }
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `${options.name} did not print ${pattern} in ${timeoutMs} ms:\n${output.slice(-4000)}`,
              ),
            ),
          ),
        timeoutMs,
      )
      const done = (f: () => void) => {
        clearTimeout(timer)
        listeners.delete(check)
        f()
      }
      listeners.add(check)
      check()
    })

  const stop = async (graceMs = 5_000) => {
    if (!running()) return void (await exited)
    signalGroup("SIGTERM")
    const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs)
    await exited
    clearTimeout(timer)
  }
  const kill = async () => {
    if (running()) signalGroup("SIGKILL")
    await exited
  }
  return { name: options.name, child, pid, output: () => output, exited, running, waitForOutput, stop, kill }
}
