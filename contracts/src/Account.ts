import { Schema, SchemaGetter } from "effect"
import { Instant, isWellFormedText, Text, TrimmedText, Uuid } from "./Common.ts"

/**
 * The one email rule of the system. Better Auth checks every address it is given with zod's `z.email()` and fails
 * anything else as a server error; this is that pattern, so the contract rejects exactly what Better Auth would
 * (packages/api/test/auth/EmailRule.test.ts holds the two to each other), and AuthService hands this same predicate
 * to Better Auth's user-creation hook. ASCII only: no quoted or non-ASCII local parts, no empty labels, no trailing
 * dot, a top-level domain of two letters or more.
 */
const EMAIL_PATTERN =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/
export const EMAIL_MAX_LENGTH = 254

/** Whether `s` is an email address by the system's one rule (the length is checked before the pattern runs). */
export const isEmailAddress = (s: string): boolean => s.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(s)

export const Email = Text.check(
  Schema.makeFilter((s: string) =>
    isEmailAddress(s) ? undefined : "Expected an email address such as ada@example.com",
  ),
).annotate({ title: "Email", description: "An email address (ASCII, at most 254 characters)." })

/** Password length, shared by the contract and Better Auth's configuration. */
export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 128

const Password = Text.check(
  Schema.isMinLength(PASSWORD_MIN_LENGTH),
  Schema.isMaxLength(PASSWORD_MAX_LENGTH),
).annotate({
  title: "Password",
  description: `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a commonly used password.`,
})

export const User = Schema.Struct({
  id: Uuid,
  email: Schema.String,
  name: Schema.String,
  createdAt: Instant,
}).annotate({ title: "User" })
export type User = typeof User.Type

/**
 * Resolves an IANA zone name to the canonical name Intl knows it by (`US/Pacific` → `America/Los_Angeles`), or
 * undefined when Intl does not know it. Offsets (`+01:00`) are not zone names: Intl accepts them, but PostgreSQL
 * reads their sign the other way, so they are refused.
 */
export const canonicalTimeZone = (name: string): string | undefined => {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(name)) return undefined
  try {
    const canonical = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone
    return /^[+-]/.test(canonical) ? undefined : canonical
  } catch {
    return undefined
  }
}

/**
 * An IANA time zone (`Europe/Berlin`), stored and answered under its canonical name: an alias such as
 * `US/Pacific` decodes to `America/Los_Angeles`. The server also requires PostgreSQL to know the zone.
 */
export const TimeZoneName = Text.check(
  Schema.isMaxLength(64),
  Schema.makeFilter((tz: string) =>
    canonicalTimeZone(tz) === undefined ? "Expected an IANA time zone, e.g. Europe/Berlin" : undefined,
  ),
)
  .pipe(
    Schema.decodeTo(Schema.String.check(isWellFormedText), {
      decode: SchemaGetter.transform((tz: string) => canonicalTimeZone(tz) ?? tz),
      encode: SchemaGetter.passthrough(),
    }),
  )
  .annotate({ title: "TimeZone", description: "An IANA time zone name, e.g. Europe/Berlin." })

export const SignUp = Schema.Struct({
  email: Email,
  password: Password,
  name: TrimmedText.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
  /** The browser's zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`); UTC when absent. */
  timezone: Schema.optionalKey(TimeZoneName),
}).annotate({ title: "SignUp" })

export const SignIn = Schema.Struct({
  email: Email,
  password: Text.check(Schema.isMinLength(1), Schema.isMaxLength(PASSWORD_MAX_LENGTH)),
}).annotate({ title: "SignIn" })

/** Answer of sign-up and sign-in: the user and the bearer token that authenticates every other route. */
export const AuthSession = Schema.Struct({ user: User, token: Schema.String }).annotate({
  title: "AuthSession",
})

export const Settings = Schema.Struct({
  timezone: TimeZoneName,
  agentsEnabled: Schema.Boolean,
}).annotate({ title: "Settings" })
export type Settings = typeof Settings.Type
