import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect } from "effect"

interface GcOptions {
  readonly type: "major"
  readonly flavor: "last-resort"
}

/**
 * Once a service is up, gives back to the system what its start-up left resident (docs/BENCHMARKS.md, "Issue 17:
 * memory"): loading the modules grows V8's young generation to its full semi-space size (16 MiB each with the start
 * scripts' `--max-semi-space-size=16`), and V8 keeps those pages, empty, until a collection that is told to reduce
 * memory (measured in the api 10 s after start-up: 32 MiB committed, 3 MiB used); the large-object and code
 * spaces hold start-up's garbage likewise. An ordinary full GC (`gc()`) releases none of it and nothing in Node asks
 * for more, so this runs V8's last-resort collection once: full GCs until nothing more is freed, the young
 * generation shrunk and its unused pages uncommitted. About 40 MiB of RSS at rest for a pause of 0.2 – 0.6 s, once, when the service has
 * just started. Under load the young generation grows again as it must; at rest it stays small.
 *
 * `gc` is V8's own extension, which `--expose-gc` installs in contexts created after it is set: a new context
 * gets it without exposing it to the service's own code. The flag is set back at once.
 */
export const releaseStartupMemory = Effect.sync(() => {
  setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as (options: GcOptions) => void
  setFlagsFromString("--no-expose-gc")
  gc({ type: "major", flavor: "last-resort" })
})
