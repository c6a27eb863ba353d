import { apiContract } from "@todo/contracts"
import { SuggestionService } from "@todo/core/tasks"
import { Effect } from "effect"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { userRoute } from "./Routes.ts"

const c = apiContract.suggestions

const List = userRoute(c.list, ({ query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* SuggestionService).list(user.id, query) }
  }),
)

const Accept = userRoute(c.accept, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* SuggestionService).accept(user.id, params.id) }
  }),
)

const Dismiss = userRoute(c.dismiss, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* SuggestionService).dismiss(user.id, params.id) }
  }),
)

/** `apiContract.suggestions`. */
export const SuggestionRoutes = { list: List, accept: Accept, dismiss: Dismiss }
