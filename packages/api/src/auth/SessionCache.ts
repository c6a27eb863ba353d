/**
 * Bearer token → user, remembered for a few seconds so a burst of requests with one token looks the session up
 * once. The lookup is half the statements of a read and a round trip of its latency (docs/BENCHMARKS.md, "API").
 *
 * Staleness is bounded by the TTL: a sign-out in this process forgets the token at once; a sign-out served by
 * another replica is seen here within `ttlMs`. Entries never outlive their session's own expiry.
 * Pure (the clock is an argument), so its rules are tested without a database or a timer.
 */
export interface SessionCache<A> {
  readonly get: (token: string, nowMs: number) => A | undefined
  readonly set: (token: string, value: A, nowMs: number, sessionExpiresAtMs: number) => void
  readonly forget: (token: string) => void
  readonly size: () => number
}

export const makeSessionCache = <A>(options: {
  readonly ttlMs: number
  readonly capacity: number
}): SessionCache<A> => {
  // A Map iterates in insertion order: re-inserting on set keeps the oldest entry first, to evict when full.
  const entries = new Map<string, { readonly value: A; readonly untilMs: number }>()
  return {
    get: (token, nowMs) => {
      const entry = entries.get(token)
      if (entry === undefined) return undefined
      if (nowMs >= entry.untilMs) {
        entries.delete(token)
        return undefined
      }
      return entry.value
    },
    set: (token, value, nowMs, sessionExpiresAtMs) => {
      if (options.ttlMs <= 0 || options.capacity <= 0) return
      entries.delete(token)
      entries.set(token, { value, untilMs: Math.min(nowMs + options.ttlMs, sessionExpiresAtMs) })
      if (entries.size > options.capacity) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
    },
    forget: (token) => {
      entries.delete(token)
    },
    size: () => entries.size,
  }
}
