import { PASSWORD_MIN_LENGTH } from "@todo/contracts"
import { dictionary } from "@zxcvbn-ts/language-common"

/**
 * What a new password must be, beyond the contract's length (NIST SP 800-63B §5.1.1.2): not one of the commonly
 * used passwords (zxcvbn-ts's list of about 50 000, the ones at least as long as our minimum), not one character or
 * two repeated, not a run like `1234567890` or `abcdefghij`, and not the account's own email address.
 */
const COMMON = new Set(
  dictionary["passwords-common"].filter((p) => p.length >= PASSWORD_MIN_LENGTH).map((p) => p.toLowerCase()),
)

const isRepetitive = (password: string) => new Set(password).size <= 2

const isRun = (password: string) => {
  const codes = [...password.toLowerCase()].map((c) => c.codePointAt(0)!)
  if (codes.length < 2) return false
  const step = codes[1]! - codes[0]!
  return (step === 1 || step === -1) && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step)
}

/** Why `password` may not be used for the account `email`, or undefined when it may. */
export const passwordProblem = (password: string, email: string): string | undefined => {
  const lower = password.toLowerCase()
  if (COMMON.has(lower)) return "This password is too common: choose one that others are unlikely to use."
  if (isRepetitive(password)) return "This password repeats too few characters."
  if (isRun(password)) return "This password is a simple sequence of characters."
  if (lower === email.toLowerCase() || lower === email.split("@")[0]!.toLowerCase()) {
    return "The password must not be your email address."
  }
  return undefined
}
