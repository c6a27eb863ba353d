import { Schema } from "effect"
import { Instant, Uuid } from "./Common.ts"

const Email = Schema.String.check(
  Schema.isMaxLength(254),
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "Expected an email address" }),
).annotate({ title: "Email" })

const Password = Schema.String.check(Schema.isMinLength(8), Schema.isMaxLength(128)).annotate({
  title: "Password",
  description: "8–128 characters.",
})

export const User = Schema.Struct({
  id: Uuid,
  email: Schema.String,
  name: Schema.String,
  createdAt: Instant,
}).annotate({ title: "User" })
export type User = typeof User.Type

export const SignUp = Schema.Struct({
  email: Email,
  password: Password,
  name: Schema.Trim.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
}).annotate({ title: "SignUp" })

export const SignIn = Schema.Struct({
  email: Email,
  password: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128)),
}).annotate({ title: "SignIn" })

/** Answer of sign-up and sign-in: the user and the bearer token that authenticates every other route. */
export const AuthSession = Schema.Struct({ user: User, token: Schema.String }).annotate({
  title: "AuthSession",
})

const TimeZoneName = Schema.String.check(
  Schema.isMaxLength(64),
  Schema.makeFilter((tz: string) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz })
      return undefined
    } catch {
      return "Expected an IANA time zone, e.g. Europe/Berlin"
    }
  }),
).annotate({ title: "TimeZone" })

export const Settings = Schema.Struct({
  timezone: TimeZoneName,
  agentsEnabled: Schema.Boolean,
}).annotate({ title: "Settings" })
export type Settings = typeof Settings.Type
