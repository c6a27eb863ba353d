// A process that starts a managed child (which itself starts a grandchild in its group), prints their pids, and
// waits to be killed: what a vitest worker running the real-sidecar suite looks like to the reaper.
import { spawnManaged } from "../../src/ProcessGroup.ts"

const child = spawnManaged({
  name: "sh",
  command: "sh",
  args: ["-c", "sleep 300 & echo grandchild $!; wait"],
})
const [, grandchild] = (await child.waitForOutput(/grandchild (\d+)/)) as unknown as [string, string]
process.stdout.write(`pids ${child.pid} ${grandchild}\n`)
setInterval(() => {}, 1_000)
