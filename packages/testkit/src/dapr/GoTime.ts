/**
 * Go time formats that end up in envelopes: `time.RFC3339` (second precision; the envelope `time` and `expiration`,
 * DAPR.md §1 table) and `time.ParseDuration` (the `ttl` metadata value, DAPR.md §1 `metadata.ttlInSeconds`).
 */

/** `t.UTC().Format(time.RFC3339)`: `2026-08-21T20:12:09Z`, fractional seconds truncated. */
export const formatRfc3339 = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** `time.Parse(time.RFC3339, s)` as epoch milliseconds, or undefined when Go would fail to parse it. */
export const parseRfc3339 = (s: string): number | undefined => {
  if (!RFC3339.test(s)) return undefined
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? undefined : ms
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/** `time.ParseDuration` in milliseconds (e.g. `90s`, `1m30s`, `-5s`), or undefined for anything Go rejects. */
export const parseGoDuration = (s: string): number | undefined => {
  if (s === "0" || s === "+0" || s === "-0") return 0
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s)
  if (!m) return undefined
  let total = 0
  for (const part of (m[2] ?? "").matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ""] ?? 0)
  }
  return m[1] === "-" ? -total : total
}

/**
 * contrib `metadata.TryGetTTL` (newest form): `ttl` then `ttlInSeconds`, keys case-insensitive; a Go duration first,
 * else a positive integer of seconds; a negative duration counts as 0. Bad values are ignored (DAPR.md §1 table).
 */
export const ttlFromMetadata = (metadata: ReadonlyMap<string, string>): number | undefined => {
  let value: string | undefined
  for (const wanted of ["ttl", "ttlinseconds"]) {
    for (const [k, v] of metadata) if (k.toLowerCase() === wanted && value === undefined) value = v
    if (value !== undefined) break
  }
  if (value === undefined || value === "") return undefined
  const duration = parseGoDuration(value)
  if (duration !== undefined) return Math.max(0, duration)
  if (!/^[-+]?\d+$/.test(value)) return undefined
  const seconds = Number(value)
  return seconds > 0 ? seconds * 1000 : undefined
}
