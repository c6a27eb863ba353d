import { apiContract } from "@todo/contracts"
import { Notifications } from "@todo/core"
import { Effect } from "effect"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { userRoute } from "./Routes.ts"

const c = apiContract.notifications

const List = userRoute(c.list, ({ query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* Notifications).list(user.id, query) }
  }),
)

const Read = userRoute(c.read, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* Notifications).markRead(user.id, params.id) }
  }),
)

/** `apiContract.notifications`. */
export const NotificationRoutes = { list: List, read: Read }
