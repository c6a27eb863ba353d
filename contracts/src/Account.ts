import { Schema, SchemaGetter } from "effect"
import { isWellFormedText, Text, TextUpTo, Timestamp, TrimmedText, Uuid } from "./Common.ts"

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
).annotate({
  title: "Email",
  description: "An email address (ASCII, at most 254 characters).",
  examples: ["ada@example.com"],
})

/** Password length, shared by the contract and Better Auth's configuration. */
export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 128

// At least 10 characters counted as code points (what JSON Schema's minLength counts), so the document states the
// rule exactly; at most 128 UTF-16 units, Better Auth's own limit (a code point is one or two units).
const Password = Text.check(
  Schema.isMinCodePoints(PASSWORD_MIN_LENGTH, {
    message: `Expected at least ${PASSWORD_MIN_LENGTH} characters`,
  }),
  Schema.isMaxLength(PASSWORD_MAX_LENGTH),
).annotate({
  title: "Password",
  description: `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a commonly used password.`,
  format: "password",
})

export const User = Schema.Struct({
  id: Uuid.annotateKey({ description: "The user's id." }),
  email: Schema.String.annotateKey({ description: "The email address the user signs in with." }),
  name: Schema.String.annotateKey({ description: "The user's name." }),
  createdAt: Timestamp.annotateKey({ description: "When the account was created." }),
}).annotate({ title: "User", description: "An account." })
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
export const TimeZoneName = TextUpTo(64)
  .check(
    Schema.makeFilter((tz: string) =>
      canonicalTimeZone(tz) === undefined ? "Expected an IANA time zone, e.g. Europe/Berlin" : undefined,
    ),
  )
  .annotate({
    description:
      "An IANA time zone name (at most 64 characters); an alias is answered under its canonical name.",
    examples: ["Europe/Berlin"],
  })
  .pipe(
    Schema.decodeTo(Schema.String.check(isWellFormedText), {
      decode: SchemaGetter.transform((tz: string) => canonicalTimeZone(tz) ?? tz),
      encode: SchemaGetter.passthrough(),
    }),
  )
  .annotate({ title: "TimeZone" })

export const SignUp = Schema.Struct({
  email: Email.annotateKey({ description: "The address to sign in with; one account per address." }),
  password: Password.annotateKey({ description: "The password." }),
  name: TrimmedText(100).annotateKey({ description: "The user's name: 1–100 characters, trimmed." }),
  /** The browser's zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`); UTC when absent. */
  timezone: Schema.optionalKey(TimeZoneName).annotateKey({
    description: "The account's time zone, e.g. the browser's; UTC when absent.",
  }),
}).annotate({
  title: "SignUp",
  description: "A new account.",
  examples: [
    { email: "ada@example.com", password: "plum-kettle-orbit-42", name: "Ada", timezone: "Europe/London" },
  ],
})

export const SignIn = Schema.Struct({
  email: Email.annotateKey({ description: "The account's address." }),
  password: Text.check(Schema.isMinLength(1), Schema.isMaxLength(PASSWORD_MAX_LENGTH)).annotateKey({
    description: "The account's password.",
  }),
}).annotate({
  title: "SignIn",
  description: "Credentials.",
  examples: [{ email: "ada@example.com", password: "plum-kettle-orbit-42" }],
})

/** Answer of sign-up and sign-in: the user and the bearer token that authenticates every other route. */
export const AuthSession = Schema.Struct({
  user: User.annotateKey({ description: "The signed-in user." }),
  token: Schema.String.annotateKey({ description: "Send it as `Authorization: Bearer <token>`." }),
}).annotate({ title: "AuthSession", description: "A signed-in session: the user and their bearer token." })

export const Settings = Schema.Struct({
  timezone: TimeZoneName.annotateKey({
    description: "The zone dates are read and shown in (quick add, recurrence, overdue checks).",
  }),
  agentsEnabled: Schema.Boolean.annotateKey({
    description: "Whether the agents make suggestions for this user.",
  }),
}).annotate({
  title: "Settings",
  description: "The user's time zone and agent preferences.",
  examples: [{ timezone: "Europe/Berlin", agentsEnabled: true }],
})
export type Settings = typeof Settings.Type
