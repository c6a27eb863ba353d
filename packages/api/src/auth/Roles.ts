import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

/** No account has this email. */
export class UnknownAccount extends Schema.TaggedError<UnknownAccount>()("UnknownAccount", {
  email: Schema.String,
}) {}

export interface RoleChange {
  readonly email: string
  /** False when the account already had (grant) or did not have (revoke) the role: nothing was written. */
  readonly changed: boolean
}

export interface AccountActivityEntry {
  readonly at: string
  readonly email: string
  readonly action: string
  readonly actor: string
}

/**
 * Roles kept in the database (`user_roles`, 0004_edge.sql). Only the operator command grants or revokes them
 * (packages/api/src/bin/admin.ts); each change is written to the accounts' activity log in the same transaction.
 */
export class Roles extends Context.Service<
  Roles,
  {
    readonly isAdmin: (userId: string) => Effect.Effect<boolean, SqlError>
    readonly grantAdmin: (
      email: string,
      actor: string,
    ) => Effect.Effect<RoleChange, SqlError | UnknownAccount>
    readonly revokeAdmin: (
      email: string,
      actor: string,
    ) => Effect.Effect<RoleChange, SqlError | UnknownAccount>
    readonly admins: () => Effect.Effect<
      ReadonlyArray<{ email: string; grantedAt: string; grantedBy: string }>,
      SqlError
    >
    readonly activity: (limit: number) => Effect.Effect<ReadonlyArray<AccountActivityEntry>, SqlError>
  }
>()("@todo/api/Roles") {
  static readonly layer = Layer.effect(
    Roles,
    Effect.gen(function* () {
      const sql = yield* SqlClient

      const isAdmin = (userId: string) =>
        sql<{ n: number }>`
          SELECT count(*)::int AS n FROM user_roles WHERE user_id = ${userId} AND role = 'admin'`.pipe(
          Effect.map((rows) => (rows[0]?.n ?? 0) > 0),
        )

      const accountOf = (email: string) =>
        Effect.gen(function* () {
          const normalized = email.trim().toLowerCase()
          const [user] = yield* sql<{ id: string; email: string }>`
            SELECT id, email FROM "user" WHERE email = ${normalized} FOR UPDATE`
          if (user === undefined) return yield* new UnknownAccount({ email: normalized })
          return user
        })

      const audit = (user: { id: string; email: string }, action: string, actor: string) =>
        sql`
          INSERT INTO account_activity (user_id, email, action, detail, actor)
          VALUES (${user.id}, ${user.email}, ${action}, ${JSON.stringify({ role: "admin" })}, ${actor})`

      const grantAdmin = Effect.fn("Roles.grantAdmin")(function* (email: string, actor: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            const user = yield* accountOf(email)
            const inserted = yield* sql`
              INSERT INTO user_roles (user_id, role, granted_by) VALUES (${user.id}, 'admin', ${actor})
              ON CONFLICT DO NOTHING RETURNING user_id`
            if (inserted.length > 0) yield* audit(user, "role.granted", actor)
            return { email: user.email, changed: inserted.length > 0 }
          }),
        )
      })

      const revokeAdmin = Effect.fn("Roles.revokeAdmin")(function* (email: string, actor: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            const user = yield* accountOf(email)
            const deleted = yield* sql`
              DELETE FROM user_roles WHERE user_id = ${user.id} AND role = 'admin' RETURNING user_id`
            if (deleted.length > 0) yield* audit(user, "role.revoked", actor)
            return { email: user.email, changed: deleted.length > 0 }
          }),
        )
      })

      const admins = () =>
        sql<{ email: string; granted_at: Date; granted_by: string }>`
          SELECT u.email, r.granted_at, r.granted_by FROM user_roles r JOIN "user" u ON u.id = r.user_id
          WHERE r.role = 'admin' ORDER BY u.email`.pipe(
          Effect.map((rows) =>
            rows.map((r) => ({
              email: r.email,
              grantedAt: r.granted_at.toISOString(),
              grantedBy: r.granted_by,
            })),
          ),
        )

      const activity = (limit: number) =>
        sql<{ at: Date; email: string; action: string; actor: string }>`
          SELECT at, email, action, actor FROM account_activity ORDER BY id DESC LIMIT ${limit}`.pipe(
          Effect.map((rows) => rows.map((r) => ({ ...r, at: r.at.toISOString() }))),
        )

      return Roles.of({ isAdmin, grantAdmin, revokeAdmin, admins, activity })
    }),
  )
}
