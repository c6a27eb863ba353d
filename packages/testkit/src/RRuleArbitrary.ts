import fc from "fast-check"

/**
 * Recurrence rules drawn from RFC 5545's RRULE grammar (§3.3.10): every FREQ (the sub-daily ones too), every BYxxx
 * part with short or very long lists, values at and past their bounds, huge INTERVAL and COUNT, UNTIL, WKST, in any
 * order. Most are valid or nearly so, so that evaluation (not only parsing) is exercised; the rest are hostile.
 */
const CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const

const signed = (max: number) => fc.integer({ min: 1, max }).chain((n) => fc.constantFrom(n, -n))
const list = (item: fc.Arbitrary<string | number>, maxLength: number) =>
  fc.array(item, { minLength: 1, maxLength }).map((xs) => xs.join(","))
/** Short lists most of the time, sometimes as long as the part allows. */
const sized = (item: fc.Arbitrary<string | number>, max: number) =>
  fc.oneof({ weight: 4, arbitrary: list(item, 3) }, { weight: 1, arbitrary: list(item, max) })

const date = fc
  .record({
    year: fc.integer({ min: 1970, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => `${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}`)

const byDay = fc
  .tuple(fc.option(signed(53), { freq: 3 }), fc.constantFrom(...CODES))
  .map(([n, code]) => `${n ?? ""}${code}`)

/** A single time of day most of the time (a task repeats at most once a day); lists of times now and then. */
const timePart = (key: string, max: number) =>
  fc
    .oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max }).map(String) },
      { weight: 1, arbitrary: list(fc.integer({ min: 0, max: max + 1 }), max + 1) },
    )
    .map((v) => `${key}=${v}`)

const part: fc.Arbitrary<string> = fc.oneof(
  fc
    .oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 10_000_000 }))
    .map((n) => `INTERVAL=${n}`),
  fc
    .oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000 }))
    .map((n) => `COUNT=${n}`),
  fc
    .tuple(date, fc.option(fc.constantFrom("T000000", "T235959Z", "T120000"), { nil: "" }))
    .map(([d, t]) => `UNTIL=${d}${t}`),
  sized(fc.integer({ min: 0, max: 13 }), 24).map((v) => `BYMONTH=${v}`),
  sized(fc.oneof(signed(31), fc.constantFrom(0, 32, -32)), 62).map((v) => `BYMONTHDAY=${v}`),
  sized(signed(366), 100).map((v) => `BYYEARDAY=${v}`),
  sized(byDay, 60).map((v) => `BYDAY=${v}`),
  timePart("BYHOUR", 23),
  timePart("BYMINUTE", 59),
  timePart("BYSECOND", 59),
  sized(signed(366), 100).map((v) => `BYSETPOS=${v}`),
  fc.constantFrom(...CODES).map((c) => `WKST=${c}`),
  sized(signed(53), 10).map((v) => `BYWEEKNO=${v}`),
)

export const rruleArbitrary: fc.Arbitrary<string> = fc
  .record({
    freq: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY", "YEARLY") },
      { weight: 1, arbitrary: fc.constantFrom("HOURLY", "MINUTELY", "SECONDLY") },
    ),
    parts: fc.uniqueArray(part, { selector: (p) => p.slice(0, p.indexOf("=")), maxLength: 7 }),
    prefix: fc.constantFrom("", "", "", "RRULE:"),
    freqFirst: fc.boolean(),
  })
  .chain(({ freq, parts, prefix, freqFirst }) => {
    // FREQ first half of the time, anywhere otherwise (RFC 5545 allows any order)
    const all = freqFirst ? parts : [`FREQ=${freq}`, ...parts]
    return fc
      .shuffledSubarray(all, { minLength: all.length })
      .map((shuffled) => `${prefix}${(freqFirst ? [`FREQ=${freq}`, ...shuffled] : shuffled).join(";")}`)
  })
