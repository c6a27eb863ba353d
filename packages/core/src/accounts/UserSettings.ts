import type { Settings } from "@todo/contracts"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export const DEFAULT_SETTINGS: Settings = { timezone: "UTC", agentsEnabled: true }

/** Per-user preferences: the time zone that decides what "tomorrow 9am" means, and whether agents may suggest. */
export class UserSettings extends Context.Service<
  UserSettings,
  {
    readonly get: (userId: string) => Effect.Effect<Settings, SqlError>
    readonly put: (userId: string, settings: Settings) => Effect.Effect<Settings, SqlError>
  }
>()("@todo/core/UserSettings") {
  static readonly layer = Layer.effect(
    UserSettings,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const get = Effect.fn("UserSettings.get")(function* (userId: string) {
        const rows = yield* sql<{ timezone: string; agents_enabled: boolean }>`
          SELECT timezone, agents_enabled FROM user_settings WHERE user_id = ${userId}`
        const row = rows[0]
        return row ? { timezone: row.timezone, agentsEnabled: row.agents_enabled } : DEFAULT_SETTINGS
      })
      const put = Effect.fn("UserSettings.put")(function* (userId: string, settings: Settings) {
        yield* sql`
          INSERT INTO user_settings (user_id, timezone, agents_enabled)
          VALUES (${userId}, ${settings.timezone}, ${settings.agentsEnabled})
          ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone,
            agents_enabled = excluded.agents_enabled, updated_at = now()`
        return settings
      })
      return UserSettings.of({ get, put })
    }),
  )
}
