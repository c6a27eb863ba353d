import { spawn } from "node:child_process"
import { join } from "node:path"
import { eventually } from "@todo/testkit"
import { spawnManaged } from "../src/ProcessGroup.ts"
import { describe, expect, it } from "vitest"

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("managed process groups", () => {
  it("stop() ends the process and everything it started", async () => {
    const child = spawnManaged({
      name: "sh",
      command: "sh",
      args: ["-c", "sleep 300 & echo grandchild $!; wait"],
    })
    const grandchild = Number((await child.waitForOutput(/grandchild (\d+)/))[1])
    expect(alive(grandchild)).toBe(true)
    await child.stop(2_000)
    expect(child.running()).toBe(false)
    await eventually(async () => (alive(grandchild) ? undefined : true), { what: "the grandchild gone" })
  })

  it("an owner killed with SIGKILL leaves no orphan: the reaper kills its groups", async () => {
    const owner = spawn(process.execPath, [join(import.meta.dirname, "support", "owner.ts")], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    const pids = await new Promise<Array<number>>((resolve, reject) => {
      let out = ""
      owner.stdout.on("data", (d) => {
        out += d
        const m = /pids (\d+) (\d+)/.exec(out)
        if (m) resolve([Number(m[1]), Number(m[2])])
      })
      owner.once("exit", (code) => reject(new Error(`owner exited with ${code}: ${out}`)))
    })
    for (const pid of pids) expect(alive(pid)).toBe(true)
    owner.kill("SIGKILL")
    await eventually(async () => (pids.some(alive) ? undefined : true), {
      timeoutMs: 10_000,
      what: `processes ${pids.join(", ")} to be gone`,
    })
  })
})
