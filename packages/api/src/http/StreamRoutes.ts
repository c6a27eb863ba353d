import { UserChanges } from "@todo/core"
import { apiContract } from "@todo/contracts"
import { meaningOf, problemResponse, rawRoute } from "@todo/runtime"
import { Config, Context, Deferred, Effect, Layer, type Scope, Stream } from "effect"
import { HttpServerResponse } from "effect/http"
import { CurrentUser } from "../auth/CurrentUser.ts"
import { authenticated } from "./Authentication.ts"

/**
 * The open live streams of each user in this process, at most `SSE_MAX_STREAMS_PER_USER` (default 6): opening one
 * more closes that user's oldest (a forgotten tab), so a user is never refused and never holds unbounded
 * connections and subscriptions. Each replica counts its own streams.
 */
export class OpenStreams extends Context.Service<
  OpenStreams,
  {
    /** Registers a stream for the scope's lifetime; the effect it answers completes when the stream must close. */
    readonly open: (userId: string) => Effect.Effect<Effect.Effect<void>, never, Scope.Scope>
    readonly count: (userId: string) => number
  }
>()("@todo/api/OpenStreams") {
  static readonly layer = Layer.effect(
    OpenStreams,
    Effect.gen(function* () {
      const max = yield* Config.Int("SSE_MAX_STREAMS_PER_USER").pipe(Config.withDefault(6))
      const byUser = new Map<string, Array<Deferred.Deferred<void>>>()
      const open = (userId: string) =>
        Effect.acquireRelease(
          Effect.gen(function* () {
            const closed = yield* Deferred.make<void>()
            const streams = byUser.get(userId) ?? []
            streams.push(closed)
            byUser.set(userId, streams)
            while (streams.length > Math.max(1, max)) yield* Deferred.succeed(streams.shift()!, undefined)
            return closed
          }),
          (closed) =>
            Effect.sync(() => {
              const streams = byUser.get(userId) ?? []
              const rest = streams.filter((d) => d !== closed)
              if (rest.length === 0) byUser.delete(userId)
              else byUser.set(userId, rest)
            }),
        ).pipe(Effect.map((closed) => Deferred.await(closed)))
      return OpenStreams.of({ open, count: (userId) => byUser.get(userId)?.length ?? 0 })
    }),
  )
}

/**
 * `GET /api/stream` (documented in the contract as `apiContract.stream`): server-sent events of the caller's
 * changes — `event: task|suggestion|notification`, `data: {"id","taskId","change"}` — and a `: ping` comment every
 * 15 s so proxies keep the connection open. Clients refetch what changed and reconnect after a drop.
 */
export const StreamRoute = rawRoute(
  apiContract.stream,
  authenticated(
    Effect.gen(function* () {
      const user = yield* CurrentUser
      const streams = yield* OpenStreams
      const userChanges = yield* UserChanges
      const pings = Stream.tick("15 seconds").pipe(Stream.map(() => ": ping\n\n"))
      // The slot is held while the body streams, and given up when the client leaves or a newer stream of the
      // same user takes it. The subscription is made before `: connected` is sent, so a client that refetches on
      // it misses no change committed after.
      const body = Stream.unwrap(
        Effect.gen(function* () {
          const superseded = yield* streams.open(user.id)
          const changes = (yield* userChanges.subscribe(user.id)).pipe(
            Stream.map(
              (c) =>
                `event: ${c.kind}\ndata: ${JSON.stringify({ id: c.id, taskId: c.taskId, change: c.change })}\n\n`,
            ),
          )
          return Stream.concat(Stream.make(": connected\n\n"), Stream.merge(changes, pings)).pipe(
            Stream.interruptWhen(superseded),
          )
        }),
      ).pipe(Stream.encodeText)
      return HttpServerResponse.stream(body, {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no" },
      })
    }),
  ).pipe(Effect.catch((error) => Effect.succeed(problemResponse(meaningOf(error))))),
)
