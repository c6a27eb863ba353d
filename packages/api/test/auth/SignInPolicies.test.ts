import { describe, expect, it } from "vitest"
import { type ThrottlePolicy, waitBeforeAttempt } from "../../src/auth/LoginThrottle.ts"
import { passwordProblem } from "../../src/auth/PasswordPolicy.ts"

const policy: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1000,
  accountCeiling: 100,
  windowMs: 15 * 60_000,
}
const at = 1_000_000_000_000

describe("waitBeforeAttempt", () => {
  it("a client that has not failed may always try, even when the account is under attack", () => {
    expect(waitBeforeAttempt({ failures: 0, lastFailureAt: at, accountFailures: 10_000 }, policy, at)).toBe(0)
  })

  it("three free failures, then a wait that doubles after each (1 s, 2 s, 4 s, …), never beyond the window", () => {
    const waits = [1, 2, 3, 4, 5, 6, 20].map((failures) =>
      waitBeforeAttempt({ failures, lastFailureAt: at, accountFailures: failures }, policy, at),
    )
    expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, policy.windowMs])
    // Measured from the last failure.
    expect(waitBeforeAttempt({ failures: 5, lastFailureAt: at, accountFailures: 5 }, policy, at + 3000)).toBe(
      1000,
    )
  })

  it("over the account's ceiling, a client that failed waits out the window", () => {
    const state = { failures: 1, lastFailureAt: at, accountFailures: 100 }
    expect(waitBeforeAttempt(state, policy, at + 60_000)).toBe(policy.windowMs - 60_000)
    expect(waitBeforeAttempt({ ...state, failures: 0 }, policy, at + 60_000)).toBe(0)
  })
})

describe("passwordProblem", () => {
  it("refuses common, repetitive and sequential passwords and the email itself", () => {
    for (const p of [
      "password123",
      "1234567890",
      "qwertyuiop",
      "          ",
      "abababababab",
      "abcdefghijk",
      "9876543210",
    ]) {
      expect(passwordProblem(p, "ada@example.com"), p).toBeDefined()
    }
    expect(passwordProblem("ada.lovelace", "ada.lovelace@example.com")).toBeDefined()
    expect(passwordProblem("PASSWORD123", "ada@example.com")).toBeDefined()
  })

  it("accepts passphrases", () => {
    for (const p of ["correct horse battery", "violet staple 42 lantern", "Tr0ub4dor&3xyz"]) {
      expect(passwordProblem(p, "ada@example.com"), p).toBeUndefined()
    }
  })
})
