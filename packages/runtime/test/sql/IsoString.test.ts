import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { isoString } from "../../src/sql/IsoString.ts"

const outcome = (f: () => string) => {
  try {
    return f()
  } catch (error) {
    return error instanceof RangeError ? "RangeError" : `unexpected ${String(error)}`
  }
}

describe("isoString", () => {
  it("writes what toISOString writes, for any date (valid or not, any year)", () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: false }), (date) => {
        assert.strictEqual(
          outcome(() => isoString(date)),
          outcome(() => date.toISOString()),
        )
      }),
      { numRuns: 20_000 },
    )
  })

  it("writes what toISOString writes for the years it formats itself", () => {
    const fast = fc.date({
      min: new Date("1000-01-01T00:00:00.000Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(fast, (date) => {
        assert.strictEqual(isoString(date), date.toISOString())
      }),
      { numRuns: 20_000 },
    )
  })

  it("and at the edges of its fast years and of every field", () => {
    for (const s of [
      "0999-12-31T23:59:59.999Z",
      "1000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
      "+010000-01-01T00:00:00.000Z",
      "2026-02-28T09:05:07.010Z",
      "2024-02-29T00:00:00.001Z",
    ]) {
      const date = new Date(s)
      assert.strictEqual(isoString(date), date.toISOString())
      assert.strictEqual(isoString(date), s)
    }
  })
})
