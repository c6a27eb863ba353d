import { apiContract } from "@todo/contracts"
import { UserSettings } from "@todo/core/accounts/UserSettings"
import { Effect, Layer } from "effect"
import { AuthService } from "../auth/AuthService.ts"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { RateLimiter } from "../auth/RateLimiter.ts"
import { publicRoute, userRoute } from "./Routes.ts"

const c = apiContract

const SignUp = publicRoute(c.auth.signUp, ({ body, request }) =>
  Effect.gen(function* () {
    yield* (yield* RateLimiter).check("sign-up", request, body.email)
    const session = yield* (yield* AuthService).signUp(body)
    return { status: 201 as const, body: session }
  }),
)

const SignIn = publicRoute(c.auth.signIn, ({ body, request }) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter
    yield* limiter.check("sign-in", request, body.email)
    const session = yield* (yield* AuthService).signIn(body)
    return { status: 200 as const, body: session }
  }),
)

const SignOut = userRoute(c.auth.signOut, () =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    yield* (yield* AuthService).signOut(user.token)
    return { status: 204 as const, body: undefined }
  }),
)

const Me = userRoute(c.me.get, () =>
  Effect.gen(function* () {
    const { id, email, name, createdAt } = yield* CurrentUser
    return { status: 200 as const, body: { id, email, name, createdAt } }
  }),
)

const GetSettings = userRoute(c.me.getSettings, () =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* UserSettings).get(user.id) }
  }),
)

const PutSettings = userRoute(c.me.putSettings, ({ body }) =>
  Effect.gen(function* () {
    const user = yield* CurrentUser
    return { status: 200 as const, body: yield* (yield* UserSettings).put(user.id, body) }
  }),
)

export const AccountRoutes = Layer.mergeAll(SignUp, SignIn, SignOut, Me, GetSettings, PutSettings)
