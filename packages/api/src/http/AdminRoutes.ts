import { decodeCursor, encodeCursor } from "@todo/core/Cursor"
import { InvalidCursor } from "@todo/core/Errors"
import { type DeadLetterPosition, DeadLetters } from "@todo/messaging"
import type { AppRoute } from "@ts-rest/core"
import { apiContract } from "@todo/contracts"
import { type RouteInput, type RouteOutput, route } from "@todo/runtime/http/ContractRouter"
import type { ProblemInit } from "@todo/runtime/http/Problem"
import { Config, Effect, Layer } from "effect"
import { Forbidden } from "../auth/AuthErrors.ts"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { authenticated } from "./Authentication.ts"
import { toProblem } from "./Problems.ts"

/** `ADMIN_EMAILS`: a comma-separated list, compared case-insensitively; unset or empty means nobody is admin. */
export const AdminEmails = Config.String("ADMIN_EMAILS").pipe(
  Config.withDefault(""),
  Config.map(
    (list) =>
      new Set(
        list
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter((e) => e !== ""),
      ),
  ),
)

/** A replay of a dead letter whose envelope holds no valid task event: it cannot be replayed, only deleted. */
const toAdminProblem = (error: unknown): ProblemInit =>
  typeof error === "object" &&
  error !== null &&
  (error as { _tag?: unknown })._tag === "DeadLetterNotReplayable"
    ? { status: 409, detail: `${(error as { message: string }).message}; delete it instead.` }
    : toProblem(error)

const c = apiContract.admin.deadLetters

/** The dead-letter list pages by (last seen, id); the opaque cursor the API hands out wraps that position. */
const positionOf = (cursor: string): Effect.Effect<DeadLetterPosition, InvalidCursor> => {
  const decoded = decodeCursor(cursor, "dead-letters")
  if (decoded instanceof InvalidCursor) return Effect.fail(decoded)
  return typeof decoded.v === "string"
    ? Effect.succeed({ key: decoded.v, id: decoded.id })
    : Effect.fail(new InvalidCursor({ message: "The cursor is malformed." }))
}

/**
 * The operator's dead-letter routes (docs/architecture.md "Dead letters"): list, replay through the outbox with
 * the original event id, delete. Only for accounts whose email is in ADMIN_EMAILS; everyone else gets 403.
 */
export const AdminRoutes = Layer.unwrap(
  Effect.gen(function* () {
    const admins = yield* AdminEmails

    const adminRoute = <R extends AppRoute, E, Rq>(
      appRoute: R,
      handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
    ) =>
      route(
        appRoute,
        (input) =>
          authenticated(
            Effect.gen(function* () {
              const user = yield* CurrentUser
              if (!admins.has(user.email.toLowerCase())) {
                return yield* new Forbidden({ message: "This route is for administrators." })
              }
              return yield* handler(input)
            }),
          ),
        toAdminProblem,
      )

    const List = adminRoute(c.list, ({ query }) =>
      Effect.gen(function* () {
        const after = query.cursor === undefined ? undefined : yield* positionOf(query.cursor)
        const page = yield* (yield* DeadLetters).list({
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(after !== undefined ? { after } : {}),
        })
        const nextCursor =
          page.next === null ? null : encodeCursor({ s: "dead-letters", v: page.next.key, id: page.next.id })
        return { status: 200 as const, body: { items: page.items, nextCursor } }
      }),
    )

    const Replay = adminRoute(c.replay, ({ params }) =>
      Effect.gen(function* () {
        const replayed = yield* (yield* DeadLetters).replay(params.id)
        yield* Effect.logInfo(`admin ${(yield* CurrentUser).email} replayed dead letter ${replayed.eventId}`)
        return { status: 202 as const, body: replayed }
      }),
    )

    const Remove = adminRoute(c.remove, ({ params }) =>
      Effect.gen(function* () {
        yield* (yield* DeadLetters).remove(params.id)
        yield* Effect.logInfo(`admin ${(yield* CurrentUser).email} deleted dead letter ${params.id}`)
        return { status: 204 as const, body: undefined }
      }),
    )

    return Layer.mergeAll(List, Replay, Remove)
  }),
)
