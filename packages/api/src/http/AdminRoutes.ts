import type { AppRoute } from "@ts-rest/core"
import { apiContract } from "@todo/contracts"
import { CursorKey, decodeCursor, encodeCursor, MicrosInstant, UuidId } from "@todo/core"
import { DeadLetters } from "@todo/messaging"
import {
  type RouteError,
  type RouteInput,
  type RouteOutput,
  type StatusCheck,
  serveRoute,
} from "@todo/runtime"
import { Effect } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import { Forbidden } from "../auth/AuthErrors.ts"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { Roles } from "../auth/Roles.ts"
import { authenticated } from "./Authentication.ts"
import type { AuthenticationError } from "./Routes.ts"

const c = apiContract.admin.deadLetters

/** A route for admins (the role `npm run admin -- grant` gives); everyone else gets 403 before any lookup. */
const adminRoute = <R extends AppRoute, A extends RouteOutput<R>, E extends RouteError, Rq>(
  appRoute: R,
  handler: (
    input: RouteInput<R>,
  ) => Effect.Effect<A, E, Rq> & NoInfer<StatusCheck<R, A, E | AuthenticationError | Forbidden | SqlError>>,
) => {
  return serveRoute(appRoute, (input) =>
    authenticated(
      Effect.gen(function* () {
        const user = yield* CurrentUser
        if (!(yield* (yield* Roles).isAdmin(user.id))) {
          return yield* new Forbidden({ message: "This route is for administrators." })
        }
        return yield* handler(input)
      }),
    ),
  )
}

const List = adminRoute(c.list, ({ query }) =>
  Effect.gen(function* () {
    // The list pages by (last seen, id); the opaque, signed cursor the API hands out wraps that position.
    const after =
      query.cursor === undefined
        ? undefined
        : yield* decodeCursor(query.cursor, { signature: "dead-letters", value: MicrosInstant, id: UuidId })
    const page = yield* (yield* DeadLetters).list({
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(after !== undefined ? { after: { key: after.v, id: after.id } } : {}),
    })
    const key = yield* CursorKey
    const nextCursor =
      page.next === null ? null : encodeCursor(key, { s: "dead-letters", v: page.next.key, id: page.next.id })
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

/**
 * `apiContract.admin`: the operator's dead-letter routes (docs/architecture.md "Dead letters"): list, replay through
 * the outbox with the original event id, delete.
 */
export const AdminRoutes = { deadLetters: { list: List, replay: Replay, remove: Remove } }
