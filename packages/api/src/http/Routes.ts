import type { AppRoute } from "@ts-rest/core"
import {
  type RouteError,
  type RouteInput,
  type RouteOutput,
  route,
  type StatusCheck,
  serveRoute,
} from "@todo/runtime"
import type { Effect } from "effect"
import { authenticated } from "./Authentication.ts"

/** A public API route. */
export const publicRoute = route

/** What authenticating a request may fail with (a missing, expired or revoked token: 401). */
export type AuthenticationError = Effect.Error<ReturnType<typeof authenticated<never, never, never>>>

/**
 * A route for signed-in users: the handler sees `CurrentUser`. The route declares its handler's statuses and
 * authentication's 401.
 */
export const userRoute = <R extends AppRoute, A extends RouteOutput<R>, E extends RouteError, Rq>(
  appRoute: R,
  handler: (
    input: RouteInput<R>,
  ) => Effect.Effect<A, E, Rq> & NoInfer<StatusCheck<R, A, E | AuthenticationError>>,
) => {
  return serveRoute(appRoute, (input) => authenticated(handler(input)))
}
