import { apiContract } from "@todo/contracts"
import { DEFAULT_SETTINGS, InvalidField, UserSettings } from "@todo/core"
import { Effect } from "effect"
import { AuthService } from "../auth/AuthService.ts"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { LoginThrottle } from "../auth/LoginThrottle.ts"
import { RateLimiter } from "../auth/RateLimiter.ts"
import { publicRoute, userRoute } from "./Routes.ts"

const c = apiContract

const SignUp = publicRoute(c.auth.signUp, ({ body, request }) =>
  Effect.gen(function* () {
    yield* (yield* RateLimiter).check("sign-up", request)
    const settings = yield* UserSettings
    const zoneProblem = body.timezone === undefined ? undefined : settings.checkZone(body.timezone)
    if (zoneProblem !== undefined) {
      return yield* new InvalidField({ field: "body.timezone", message: zoneProblem })
    }
    const session = yield* (yield* AuthService).signUp(body)
    if (body.timezone !== undefined) {
      yield* settings.put(session.user.id, { ...DEFAULT_SETTINGS, timezone: body.timezone })
    }
    return { status: 201 as const, body: session }
  }),
)

/** Sign-in: a per-address limit, then the per-(account, client) throttle (LoginThrottle.ts, docs/security.md). */
const SignIn = publicRoute(c.auth.signIn, ({ body, request }) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter
    const throttle = yield* LoginThrottle
    const client = limiter.clientOf(request)
    yield* limiter.check("sign-in", request)
    yield* throttle.admit(body.email, client)
    const session = yield* (yield* AuthService).signIn(body)
    yield* throttle.succeeded(body.email, client)
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

/** `apiContract.auth` and `apiContract.me`. */
export const AccountRoutes = {
  auth: { signUp: SignUp, signIn: SignIn, signOut: SignOut },
  me: { get: Me, getSettings: GetSettings, putSettings: PutSettings },
}
