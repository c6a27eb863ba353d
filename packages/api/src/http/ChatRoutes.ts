import { apiContract } from "@todo/contracts"
import { Effect } from "effect"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { ChatService } from "../chat/ChatService.ts"
import { userRoute } from "./Routes.ts"

const c = apiContract.chat

const Send = userRoute(c.send, ({ body }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* ChatService).send(user.id, body) }
  }),
)

const List = userRoute(c.list, ({ query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* ChatService).list(user.id, query) }
  }),
)

const Get = userRoute(c.get, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* ChatService).get(user.id, params.conversationId) }
  }),
)

const Remove = userRoute(c.remove, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    yield* (yield* ChatService).remove(user.id, params.conversationId)
    return { status: 204 as const, body: undefined }
  }),
)

/** `apiContract.chat`. */
export const ChatRoutes = { send: Send, list: List, get: Get, remove: Remove }
