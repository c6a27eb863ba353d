import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { parseQuickAdd, type QuickAddOptions } from "../../src/tasks/QuickAdd.ts"
import { actualOf, nowOf, score } from "./fixtures/score.ts"
import { FIXTURE_ZONE, FIXTURES, mismatches } from "./fixtures/otherApps.ts"

// Other task apps' published quick-add cases (fixtures/otherApps.ts names each source), measured as a pass rate.
// Cases where we decided differently on purpose are asserted against what we answer instead.

const understand = (text: string, options: QuickAddOptions) => {
  const result = parseQuickAdd(text, options)
  if (Result.isFailure(result)) throw new Error(result.failure)
  return result.success
}

describe("quick add against other apps' published cases", () => {
  it("passes every case we agree with, and reports the pass rate over all of them", () => {
    const result = score(understand)
    const bySource = new Map<string, { passed: number; total: number }>()
    for (const c of FIXTURES) {
      const entry = bySource.get(c.source) ?? { passed: 0, total: 0 }
      entry.total++
      if (!result.failures.some((f) => f.c === c)) entry.passed++
      bySource.set(c.source, entry)
    }
    console.info(
      `[quick add] other apps' cases: ${result.passed}/${result.total} (${((100 * result.passed) / result.total).toFixed(1)} %); ${[
        ...bySource,
      ]
        .map(([source, { passed, total }]) => `${source} ${passed}/${total}`)
        .join(", ")}`,
    )
    const unexpected = result.failures.filter((f) => f.c.differs === undefined)
    expect(unexpected.map((f) => `${f.c.source}: ${JSON.stringify(f.c.text)}: ${f.why.join("; ")}`)).toEqual(
      [],
    )
  })

  it.each(FIXTURES.filter((c) => c.differs !== undefined).map((c) => [c.text, c] as const))(
    "where we differ on purpose, %j gets our answer",
    (text, c) => {
      const actual = actualOf(understand(text, { now: nowOf(c), timezone: FIXTURE_ZONE }))
      expect(mismatches(c.differs?.ours ?? {}, actual)).toEqual([])
    },
  )
})
