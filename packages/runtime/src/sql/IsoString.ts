const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`)
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`)

/**
 * `date.toISOString()`, the same string, about five times faster for the years 1000–9999 (V8's own goes through
 * the runtime: about 1 µs a call, half of decoding a page of task rows, which hold three to five timestamps each).
 * Other years, and an invalid date (a RangeError), are left to `toISOString` itself.
 */
export const isoString = (date: Date): string => {
  const year = date.getUTCFullYear()
  if (!(year >= 1000 && year <= 9999)) return date.toISOString()
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}:${pad2(
    date.getUTCMinutes(),
  )}:${pad2(date.getUTCSeconds())}.${pad3(date.getUTCMilliseconds())}Z`
}
