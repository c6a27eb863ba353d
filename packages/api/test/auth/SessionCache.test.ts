import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeSessionCache } from "../../src/auth/SessionCache.ts"

const FAR = Number.MAX_SAFE_INTEGER

describe("SessionCache", () => {
  it("remembers a token until its TTL runs out", () => {
    const cache = makeSessionCache<string>({ ttlMs: 5_000, capacity: 10 })
    cache.set("t", "alice", 1_000, FAR)
    expect(cache.get("t", 1_000)).toBe("alice")
    expect(cache.get("t", 5_999)).toBe("alice")
    expect(cache.get("t", 6_000)).toBeUndefined()
    expect(cache.size()).toBe(0)
  })

  it("never outlives the session's own expiry", () => {
    const cache = makeSessionCache<string>({ ttlMs: 5_000, capacity: 10 })
    cache.set("t", "alice", 1_000, 2_500)
    expect(cache.get("t", 2_499)).toBe("alice")
    expect(cache.get("t", 2_500)).toBeUndefined()
  })

  it("forgets a signed-out token at once", () => {
    const cache = makeSessionCache<string>({ ttlMs: 5_000, capacity: 10 })
    cache.set("t", "alice", 0, FAR)
    cache.forget("t")
    expect(cache.get("t", 1)).toBeUndefined()
  })

  it("evicts the least recently stored token when full", () => {
    const cache = makeSessionCache<string>({ ttlMs: 5_000, capacity: 2 })
    cache.set("a", "A", 0, FAR)
    cache.set("b", "B", 0, FAR)
    cache.set("a", "A", 1, FAR) // stored again: now the newest
    cache.set("c", "C", 2, FAR)
    expect(cache.get("b", 3)).toBeUndefined()
    expect(cache.get("a", 3)).toBe("A")
    expect(cache.get("c", 3)).toBe("C")
  })

  it("stores nothing when turned off (TTL 0)", () => {
    const cache = makeSessionCache<string>({ ttlMs: 0, capacity: 10 })
    cache.set("t", "alice", 0, FAR)
    expect(cache.get("t", 0)).toBeUndefined()
  })

  it("never answers after an entry's deadline and never holds more than its capacity", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.record({
            token: fc.constantFrom("a", "b", "c", "d", "e", "f"),
            at: fc.integer({ min: 0, max: 50_000 }),
            expires: fc.integer({ min: 0, max: 60_000 }),
            forget: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (ttlMs, capacity, ops) => {
          const cache = makeSessionCache<number>({ ttlMs, capacity })
          const deadlines = new Map<string, number>()
          let now = 0
          for (const op of ops) {
            now = Math.max(now, op.at)
            if (op.forget) {
              cache.forget(op.token)
              deadlines.delete(op.token)
            } else {
              cache.set(op.token, now, now, op.expires)
              deadlines.set(op.token, Math.min(now + ttlMs, op.expires))
            }
            expect(cache.size()).toBeLessThanOrEqual(capacity)
            for (const token of ["a", "b", "c", "d", "e", "f"]) {
              const hit = cache.get(token, now)
              if (hit !== undefined) expect(now).toBeLessThan(deadlines.get(token)!)
            }
          }
        },
      ),
    )
  })
})
