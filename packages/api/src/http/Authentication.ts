import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"
import { RequestLogFields } from "@todo/runtime"
import { Unauthorized } from "../auth/AuthErrors.ts"
import { AuthService } from "../auth/AuthService.ts"
import { CurrentUser } from "../auth/CurrentUser.ts"

const bearer = /^Bearer\s+([A-Za-z0-9._~+/=-]{16,512})$/

/** Runs `effect` as the user named by the `Authorization: Bearer <token>` header, or fails with Unauthorized. */
export const authenticated = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const header = request.headers.authorization
    const match = header?.match(bearer)
    if (!match) {
      return yield* new Unauthorized({
        message: "Send Authorization: Bearer <token> (from sign-in or sign-up).",
      })
    }
    const user = yield* (yield* AuthService).authenticate(match[1]!)
    // The request's log line says whose request it was, as every line logged inside it does.
    const logFields = yield* RequestLogFields
    logFields.userId = user.id
    return yield* effect.pipe(
      Effect.provideService(CurrentUser, user),
      Effect.annotateLogs({ userId: user.id }),
      Effect.annotateSpans({ "enduser.id": user.id }),
    )
  })
