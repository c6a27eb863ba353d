// The benchmarks' command line: `--name=value` options and `--flag` switches.

/** The value of `--name=value`, or undefined. */
export const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

/** Whether `--name` was given. */
export const flag = (name: string): boolean => process.argv.includes(`--${name}`)

/** `--quick`: shorter runs, for trying a benchmark out. */
export const quick = flag("quick")
