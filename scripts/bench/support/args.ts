// The benchmarks' command line: `--name=value` options and `--flag` switches.

/** The value of `--name=value`, or undefined. */
export const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

/** Whether `--name` was given. */
export const flag = (name: string): boolean => process.argv.includes(`--${name}`)

/** `--quick`: shorter runs, for trying a benchmark out. */
export const quick = flag("quick")

/**
 * `NAME=value` items as an environment (each split at its first `=`, so a value may hold more; items without one
 * are ignored), e.g. `--server-env=` in api.ts and the settings of `BENCH_MODES` in the tracing benchmarks.
 */
export const assignments = (items: ReadonlyArray<string>): Record<string, string> =>
  Object.fromEntries(
    items
      .filter((kv) => kv.includes("="))
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  )
