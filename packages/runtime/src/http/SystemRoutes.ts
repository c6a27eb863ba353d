import { systemContract } from "@todo/contracts"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { route } from "./ContractRouter.ts"

/** `/health` says the process is up (no dependencies: a slow database must not get the pod killed). */
const Health = route(systemContract.health, () => Effect.succeed({ status: 200, body: { status: "ok" } }))

/** `/ready` says this instance can do useful work: the database answers within a second. */
const Ready = route(systemContract.ready, () =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    yield* sql`SELECT 1`.pipe(Effect.timeout("1 second"))
    return { status: 200 as const, body: { status: "ready" as const } }
  }).pipe(
    Effect.catchCause(() =>
      Effect.succeed({
        status: 503 as const,
        body: {
          type: "https://todo.app/problems/503",
          title: "Service Unavailable",
          status: 503,
          detail: "The database does not answer.",
        },
      }),
    ),
  ),
)

export const SystemRoutes = Layer.mergeAll(Health, Ready)
