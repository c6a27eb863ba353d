import type { AppRoute } from "@ts-rest/core"
import { type RouteInput, type RouteOutput, route } from "@todo/runtime/http/ContractRouter"
import type { Effect } from "effect"
import { authenticated } from "./Authentication.ts"
import { toProblem } from "./Problems.ts"

/** A public API route: its failures map through the API's one problem mapping. */
export const publicRoute = <R extends AppRoute, E, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
) => route(appRoute, handler, toProblem)

/** A route for signed-in users: the handler sees `CurrentUser`. */
export const userRoute = <R extends AppRoute, E, Rq>(
  appRoute: R,
  handler: (input: RouteInput<R>) => Effect.Effect<RouteOutput<R>, E, Rq>,
) => route(appRoute, (input) => authenticated(handler(input)), toProblem)
