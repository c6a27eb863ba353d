import { createRequire } from "node:module"
import { isEmailAddress } from "@todo/contracts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

// The zod Better Auth itself resolves (its sign-up and sign-in check addresses with `z.email()`).
const requireFromBetterAuth = createRequire(createRequire(import.meta.url).resolve("better-auth"))
const { z } = requireFromBetterAuth("zod") as {
  z: { email: () => { safeParse: (s: unknown) => { success: boolean } } }
}
const betterAuthAccepts = (s: string) => z.email().safeParse(s).success

describe("one email rule: the contract accepts exactly what Better Auth accepts", () => {
  const shapes = fc.oneof(
    fc.emailAddress(),
    fc.emailAddress().map((e) => e.toUpperCase()),
    fc.emailAddress().map((e) => `${e}.`),
    fc.emailAddress().map((e) => e.replace("@", "@@")),
    fc.emailAddress().map((e) => `"${e.split("@")[0]}"@${e.split("@")[1]}`),
    fc
      .tuple(
        fc.emailAddress(),
        fc.constantFrom("\u200b", "ö", " ", "..", "-", "_", "'", "+", "\u0000"),
        fc.nat(),
      )
      .map(([e, c, i]) => e.slice(0, i % (e.length + 1)) + c + e.slice(i % (e.length + 1))),
    fc.string({ maxLength: 40 }),
  )

  it("agrees on generated addresses and their near misses", () => {
    fc.assert(
      fc.property(shapes, (s) => {
        // Beyond 254 characters the contract refuses on length alone (zod has no such bound).
        if (s.length > 254) return
        expect(isEmailAddress(s), JSON.stringify(s)).toBe(betterAuthAccepts(s))
      }),
      { numRuns: 3000 },
    )
  })

  it("agrees on the shapes that used to answer 500", () => {
    for (const s of [
      "a@b.c",
      "x..y@example.com",
      "jös@example.com",
      '"q"@example.com',
      "a@example.com.",
      "a\u200b@example.com",
    ]) {
      expect(isEmailAddress(s), s).toBe(false)
      expect(betterAuthAccepts(s), s).toBe(false)
    }
  })
})
