// In-process micro-benchmarks: variants timed in alternation, round after round, so that drift of the shared
// machine (other jobs, CPU frequency) hits all of them alike.

/**
 * Runs each variant `warmup` times, then `rounds` rounds in which every variant runs `calls` times in a row; answers
 * each variant's time per call in µs, one sample per round.
 */
export const alternate = (
  variants: Record<string, () => unknown>,
  options: { readonly rounds: number; readonly calls: number; readonly warmup: number },
): Map<string, Array<number>> => {
  const samples = new Map<string, Array<number>>(Object.keys(variants).map((k) => [k, []]))
  for (const f of Object.values(variants)) for (let i = 0; i < options.warmup; i++) f()
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, f] of Object.entries(variants)) {
      const started = performance.now()
      for (let i = 0; i < options.calls; i++) f()
      samples.get(name)!.push(((performance.now() - started) * 1000) / options.calls)
    }
  }
  return samples
}

/** The middle sample (the upper one of an even count). */
export const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
