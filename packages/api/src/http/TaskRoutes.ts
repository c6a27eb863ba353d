import { apiContract } from "@todo/contracts"
import { Activity, InvalidTaskField } from "@todo/core"
import { parseIfMatch, TaskService } from "@todo/core/tasks"
import { Effect } from "effect"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { userRoute } from "./Routes.ts"

const c = apiContract.tasks

const List = userRoute(c.list, ({ query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* TaskService).list(user.id, query) }
  }),
)

const Create = userRoute(c.create, ({ body }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 201 as const, body: yield* (yield* TaskService).create(user.id, body) }
  }),
)

const Get = userRoute(c.get, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* TaskService).get(user.id, params.id) }
  }),
)

const Update = userRoute(c.update, ({ params, body, headers }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    const expected = parseIfMatch(headers["if-match"])
    if (expected instanceof InvalidTaskField) return yield* expected
    return {
      status: 200 as const,
      body: yield* (yield* TaskService).update(user.id, params.id, body, expected),
    }
  }),
)

const Remove = userRoute(c.remove, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    yield* (yield* TaskService).remove(user.id, params.id)
    return { status: 204 as const, body: undefined }
  }),
)

const Complete = userRoute(c.complete, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* TaskService).complete(user.id, params.id) }
  }),
)

const Incomplete = userRoute(c.incomplete, ({ params }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* TaskService).incomplete(user.id, params.id) }
  }),
)

const Tags = userRoute(apiContract.tags, () =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: { items: yield* (yield* TaskService).tags(user.id) } }
  }),
)

const Quick = userRoute(c.quick, ({ body }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 201 as const, body: yield* (yield* TaskService).quickAdd(user.id, body.text) }
  }),
)

const ParseQuick = userRoute(c.parseQuick, ({ body }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* TaskService).parseQuick(user.id, body.text) }
  }),
)

const TaskActivity = userRoute(c.activity, ({ params, query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* Activity).forTask(user.id, params.id, query) }
  }),
)

const UserActivity = userRoute(apiContract.activity, ({ query }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* Activity).forUser(user.id, query) }
  }),
)

/** `apiContract.tasks`. */
export const TaskRoutes = {
  list: List,
  create: Create,
  quick: Quick,
  parseQuick: ParseQuick,
  get: Get,
  update: Update,
  remove: Remove,
  complete: Complete,
  incomplete: Incomplete,
  activity: TaskActivity,
}

export { Tags as TagRoute, UserActivity as ActivityRoute }
