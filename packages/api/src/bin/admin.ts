// `npm run admin -- grant <email>` / `revoke <email>` / `list` / `log`: the operator's command for the admin role
// (docs/security.md). Against DATABASE_URL, or the embedded server of `npm start` (stopped) when it is unset. In
// Kubernetes the chart runs it as a Job (templates/admin-job.yaml). Each change lands in the accounts' activity log
// with who made it: ADMIN_ACTOR, or the OS user and host.
import { hostname, userInfo } from "node:os"
import { DatabaseFromEnv } from "@todo/runtime"
import { Effect, Logger, Schema } from "effect"
import { Roles } from "../auth/Roles.ts"

const usage = "usage: npm run admin -- grant <email> | revoke <email> | list | log"

// Looser than the contract's rule on purpose: an account made before that rule must still be reachable.
const Email = Schema.String.check(Schema.isMaxLength(254), Schema.isPattern(/^[^@\s]+@[^@\s]+$/))

const actor = () => {
  const fromEnv = process.env.ADMIN_ACTOR?.trim()
  if (fromEnv) return fromEnv
  try {
    return `${userInfo().username}@${hostname()}`
  } catch {
    return `uid ${process.getuid?.() ?? "?"}@${hostname()}`
  }
}

const say = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))

const program = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const roles = yield* Roles
    const [command, email, ...rest] = args
    if ((command === "grant" || command === "revoke") && email !== undefined && rest.length === 0) {
      const address = yield* Schema.decodeUnknownEffect(Email)(email).pipe(
        Effect.mapError(() => new UsageError({ message: `not an email address: ${email}` })),
      )
      if (command === "grant") {
        const change = yield* roles.grantAdmin(address, actor())
        yield* say(
          change.changed ? `${change.email} is now an admin` : `${change.email} was already an admin`,
        )
      } else {
        const change = yield* roles.revokeAdmin(address, actor())
        yield* say(
          change.changed ? `${change.email} is no longer an admin` : `${change.email} was not an admin`,
        )
      }
      return
    }
    if (command === "list" && email === undefined) {
      const admins = yield* roles.admins()
      if (admins.length === 0) yield* say("no admins")
      for (const a of admins) yield* say(`${a.email}  granted ${a.grantedAt} by ${a.grantedBy}`)
      return
    }
    if (command === "log" && email === undefined) {
      for (const e of yield* roles.activity(50)) yield* say(`${e.at}  ${e.action}  ${e.email}  by ${e.actor}`)
      return
    }
    return yield* new UsageError({ message: usage })
  })

class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

const exitWith = (code: number, line: string) =>
  Effect.sync(() => {
    process.stderr.write(`${line}\n`)
    process.exitCode = code
  })

await Effect.runPromise(
  program(process.argv.slice(2)).pipe(
    Effect.provide(Roles.layer),
    Effect.provide(DatabaseFromEnv),
    Effect.catchTags({
      UsageError: (e) => exitWith(2, e.message),
      UnknownAccount: (e) => exitWith(1, `no account has the email ${e.email}`),
      ConfigError: (e) => exitWith(2, `configuration error: ${e.message}`),
    }),
    Effect.catchCause((cause) => exitWith(1, `admin: failed: ${String(cause).split("\n")[0]}`)),
    Effect.provide(Logger.layer([Logger.consolePretty()])),
  ),
)
