import { systemContract } from "@todo/contracts"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { SidecarHealth } from "../Sidecar.ts"
import { route } from "./ContractRouter.ts"

/** `/health` says the process is up (no dependencies: a slow database must not get the pod killed). */
const Health = route(systemContract.health, () => Effect.succeed({ status: 200, body: { status: "ok" } }))

/**
 * `/ready` says this instance can do useful work: the database answers within a second. The body also says whether
 * the Dapr sidecar answers (SidecarHealth); an unreachable sidecar does not make the instance unready, since
 * requests are still served and events wait in the outbox.
 */
const Ready = route(systemContract.ready, () =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const [, sidecar] = yield* Effect.all(
      [sql`SELECT 1`.pipe(Effect.timeout("1 second")), yield* SidecarHealth],
      {
        concurrency: 2,
      },
    )
    return { status: 200 as const, body: { status: "ready" as const, sidecar } }
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
