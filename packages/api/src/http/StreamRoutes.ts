import { UserChanges } from "@todo/core/live/UserChanges"
import { withRequestContext } from "@todo/runtime/http/ContractRouter"
import { problemResponse } from "@todo/runtime/http/Problem"
import { Effect, Stream } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { authenticated } from "./Authentication.ts"
import { toProblem } from "./Problems.ts"

/**
 * `GET /api/stream` (documented in the contract as `apiContract.stream`): server-sent events of the caller's
 * changes — `event: task|suggestion|notification`, `data: {"id","taskId","change"}` — and a `: ping` comment every
 * 15 s so proxies keep the connection open. Clients refetch what changed.
 */
export const StreamRoutes = HttpRouter.add(
  "GET",
  "/api/stream",
  withRequestContext(
    authenticated(
      Effect.gen(function* () {
        const user = yield* CurrentUser
        const changes = (yield* UserChanges)
          .forUser(user.id)
          .pipe(
            Stream.map(
              (c) =>
                `event: ${c.kind}\ndata: ${JSON.stringify({ id: c.id, taskId: c.taskId, change: c.change })}\n\n`,
            ),
          )
        const pings = Stream.tick("15 seconds").pipe(Stream.map(() => ": ping\n\n"))
        const body = Stream.concat(Stream.make(": connected\n\n"), Stream.merge(changes, pings)).pipe(
          Stream.encodeText,
        )
        return HttpServerResponse.stream(body, {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-cache", "x-accel-buffering": "no" },
        })
      }),
    ).pipe(Effect.catch((error) => Effect.succeed(problemResponse(toProblem(error))))),
  ),
)
