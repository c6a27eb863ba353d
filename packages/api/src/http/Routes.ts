import type { AppRoute } from "@ts-rest/core"
import { type RouteError, type RouteInput, type RouteOutput, route } from "@todo/runtime/http/ContractRouter"
import type { Effect } from "effect"
import { authenticated } from "./Authentication.ts"

/** A public API route. */
export const publicRoute = <R extends AppRoute, E extends RouteError, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
) => route(appRoute, handler)

/** A route for signed-in users: the handler sees `CurrentUser`. */
export const userRoute = <R extends AppRoute, E extends RouteError, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
) => route(appRoute, (input) => authenticated(handler(input)))
