import { canonicalTimeZone, type Settings } from "@todo/contracts"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { InvalidField } from "../Errors.ts"

export const DEFAULT_SETTINGS: Settings = { timezone: "UTC", agentsEnabled: true }

/**
 * Per-user preferences: the time zone that decides what "tomorrow 9am" means, and whether agents may suggest.
 *
 * A zone must be one both Intl (every date computed here) and PostgreSQL (every date computed in SQL) know: the
 * contract checks Intl and stores canonical names; PostgreSQL's list is read once at start-up. A stored zone that
 * is no longer usable (say, dropped by a later tzdata) reads as UTC instead of failing whatever uses it.
 */
export class UserSettings extends Context.Service<
  UserSettings,
  {
    readonly get: (userId: string) => Effect.Effect<Settings, SqlError>
    readonly put: (userId: string, settings: Settings) => Effect.Effect<Settings, SqlError | InvalidField>
    /** Why `timezone` cannot be a user's zone, or undefined when it can. */
    readonly checkZone: (timezone: string) => string | undefined
  }
>()("@todo/core/UserSettings") {
  static readonly layer = Layer.effect(
    UserSettings,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const known = new Set(
        (yield* sql<{ name: string }>`SELECT name FROM pg_timezone_names`).map((r) => r.name),
      )
      const checkZone = (timezone: string) =>
        canonicalTimeZone(timezone) !== timezone
          ? `Expected a canonical IANA time zone, e.g. Europe/Berlin`
          : known.has(timezone)
            ? undefined
            : `The database does not know the time zone ${timezone}`
      const usable = (timezone: string) =>
        checkZone(timezone) === undefined ? timezone : DEFAULT_SETTINGS.timezone

      const get = Effect.fn("UserSettings.get")(function* (userId: string) {
        const rows = yield* sql<{ timezone: string; agents_enabled: boolean }>`
          SELECT timezone, agents_enabled FROM user_settings WHERE user_id = ${userId}`
        const row = rows[0]
        return row ? { timezone: usable(row.timezone), agentsEnabled: row.agents_enabled } : DEFAULT_SETTINGS
      })
      const put = Effect.fn("UserSettings.put")(function* (userId: string, settings: Settings) {
        const problem = checkZone(settings.timezone)
        if (problem !== undefined)
          return yield* new InvalidField({ field: "body.timezone", message: problem })
        yield* sql`
          INSERT INTO user_settings (user_id, timezone, agents_enabled)
          VALUES (${userId}, ${settings.timezone}, ${settings.agentsEnabled})
          ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone,
            agents_enabled = excluded.agents_enabled, updated_at = now()`
        return settings
      })
      return UserSettings.of({ get, put, checkZone })
    }),
  )
}
