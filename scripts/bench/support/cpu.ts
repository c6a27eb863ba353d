// Where the CPU goes during a load run: CPU seconds of each process involved (from /proc), and the top self-time
// functions of a V8 CPU profile (`node --cpu-prof`). Runnable alone on a profile:
//   node scripts/bench/support/cpu.ts <file.cpuprofile> [top]
import { readdirSync, readFileSync } from "node:fs"
import { Session } from "node:inspector/promises"

// --- CPU time per process (Linux /proc) ------------------------------------------------------------------------

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** utime + stime of one process in seconds, or undefined if it is gone. */
export const processCpuSeconds = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** PostgreSQL backends serving `database` (their process title names it), by pid. */
export const backendPids = (database: string): Array<number> => {
  if (process.platform !== "linux") return []
  const pids: Array<number> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8")
      if (cmd.startsWith("postgres:") && cmd.includes(` ${database} `)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

/** Busy and total CPU seconds of the whole machine (all cores). */
export const machineCpuSeconds = () => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const total = v.reduce((a, b) => a + b, 0)
    const idle = (v[3] ?? 0) + (v[4] ?? 0)
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND }
  } catch {
    return { busy: Number.NaN, total: Number.NaN }
  }
}

export interface CpuShare {
  /** Cores used on average over the window, per part. */
  readonly server: number
  readonly postgres: number
  readonly generator: number
  readonly other: number
  readonly machine: number
}

/**
 * Measures the CPU each part uses while `run` runs: the server process, our database's PostgreSQL backends, this
 * process (the load generator), and everything else on the machine (other PostgreSQL work, a stub sidecar, other
 * users of the box).
 */
export const measureCpu = async <A>(
  serverPid: number,
  database: string,
  run: () => Promise<A>,
): Promise<{ result: A; cpu: CpuShare }> => {
  const before = new Map<number, number>()
  for (const pid of backendPids(database)) before.set(pid, processCpuSeconds(pid) ?? 0)
  const server0 = processCpuSeconds(serverPid) ?? 0
  const self0 = process.cpuUsage()
  const machine0 = machineCpuSeconds()
  const t0 = performance.now()
  const result = await run()
  const wall = (performance.now() - t0) / 1000
  const machine1 = machineCpuSeconds()
  const self = process.cpuUsage(self0)
  const server = (processCpuSeconds(serverPid) ?? server0) - server0
  let postgres = 0
  for (const pid of backendPids(database)) postgres += (processCpuSeconds(pid) ?? 0) - (before.get(pid) ?? 0)
  const generator = (self.user + self.system) / 1e6
  const busy = machine1.busy - machine0.busy
  return {
    result,
    cpu: {
      server: server / wall,
      postgres: postgres / wall,
      generator: generator / wall,
      other: Math.max(0, busy - server - postgres - generator) / wall,
      machine: busy / wall,
    },
  }
}

// --- V8 CPU profiles --------------------------------------------------------------------------------------------

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
  readonly children?: ReadonlyArray<number>
}
export interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Which part of the stack a frame belongs to, from its script URL. */
const area = (url: string, name: string) => {
  if (url === "") return name.startsWith("(") ? name : "(native/builtin)"
  if (url.startsWith("node:")) return "node core"
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (m) return m[1]!
  const p = url.match(/\/(packages\/[^/]+|contracts)\//)
  if (p) return `app: ${p[1]}`
  return url.replace(/^file:\/\//, "")
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly functions: ReadonlyArray<{ readonly name: string; readonly where: string; readonly ms: number }>
  readonly areas: ReadonlyArray<{ readonly area: string; readonly ms: number }>
}

/** Self time per function and per package of a `.cpuprofile` file or profile object. */
export const summariseProfile = (file: string | Profile, top = 25): ProfileSummary => {
  const profile = typeof file === "string" ? (JSON.parse(readFileSync(file, "utf8")) as Profile) : file
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const functions = new Map<string, { name: string; where: string; ms: number }>()
  const areas = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName || "(anonymous)"
    const short = url.replace(/^file:\/\//, "").replace(/^.*?\/node_modules\//, "")
    const where = url === "" ? "" : `${short.replace(/^.*\/(packages|contracts)\//, "$1/")}:${lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = functions.get(key) ?? { name, where, ms: 0 }
    entry.ms += us / 1000
    functions.set(key, entry)
    const a = area(url, name)
    areas.set(a, (areas.get(a) ?? 0) + us / 1000)
    total += us / 1000
  }
  return {
    totalMs: total,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
    areas: [...areas.entries()].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
  }
}

/** A CPU profile of this process while `run` runs (V8's sampling profiler through the inspector). */
export const profileThis = async <A>(run: () => Promise<A>): Promise<{ result: A; profile: Profile }> => {
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  try {
    const result = await run()
    // Node's typings make samples and timeDeltas optional; V8 always sends both with a stopped profile.
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile }
    return { result, profile }
  } finally {
    await session.post("Profiler.disable")
    session.disconnect()
  }
}

export const formatProfile = (s: ProfileSummary, indent = "    ") => {
  const pct = (x: number) => `${((100 * x) / s.totalMs).toFixed(1).padStart(5)} %`
  const lines = [`${indent}self time by package (of ${(s.totalMs / 1000).toFixed(1)} s sampled):`]
  for (const a of s.areas.slice(0, 14)) lines.push(`${indent}  ${pct(a.ms)}  ${a.area}`)
  lines.push(`${indent}top functions by self time:`)
  for (const f of s.functions) lines.push(`${indent}  ${pct(f.ms)}  ${f.name}  ${f.where}`)
  return lines.join("\n")
}

if (import.meta.main) {
  const file = process.argv[2]
  if (!file) {
    console.error("usage: node scripts/bench/support/cpu.ts <file.cpuprofile> [top]")
    process.exit(1)
  }
  console.log(formatProfile(summariseProfile(file, Number(process.argv[3] ?? 30)), ""))
}
