// The reaper: a tiny detached process per test worker (or per `npm run start:dapr`) that outlives it. The owner
// writes "+<pgid>" / "-<pgid>" lines to its stdin as it starts and stops process groups; when stdin closes, because
// the owner exited in any way (SIGKILL of a vitest worker included), it SIGKILLs every group still listed. So no
// daprd, broker or service is ever left orphaned. Run as `node Reaper.ts`.
import { createInterface } from "node:readline"

const groups = new Set<number>()
const killAll = () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  groups.clear()
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const pgid = Number(line.slice(1))
    if (!Number.isInteger(pgid) || pgid <= 1) return
    if (line.startsWith("+")) groups.add(pgid)
    else if (line.startsWith("-")) groups.delete(pgid)
  })
  .on("close", () => {
    killAll()
    process.exit(0)
  })
// The owner's terminal may send SIGINT/SIGHUP to the whole foreground group: the reaper still finishes its job.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {})
