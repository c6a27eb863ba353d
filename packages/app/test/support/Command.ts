import { spawn } from "node:child_process"

export interface CommandResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command to its end and collects what it printed. Asynchronously, unlike spawnSync: when the system under
 * test answers from the test's own process, blocking it would leave the command waiting for an answer forever.
 */
export const runCommand = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
) =>
  new Promise<CommandResult>((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    child.once("exit", (status) => resolve({ status, stdout, stderr }))
  })
