import { Effect, type Scope } from "effect"
import { DaprMesh, type DaprMeshOptions } from "./DaprMesh.ts"
import type { Sidecar, SidecarOptions } from "./Sidecar.ts"

/**
 * Effect wrappers: the mesh and its sidecars as scoped resources, closed when the scope closes
 * (e.g. inside `it.scoped` of @effect/vitest or `Effect.scoped`).
 */
export const DaprMeshTest = {
  /** A mesh closed (every sidecar stopped) when the scope closes. */
  scoped: (options?: DaprMeshOptions): Effect.Effect<DaprMesh, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.sync(() => new DaprMesh(options)),
      (mesh) => Effect.promise(() => mesh.close()),
    ),

  /** A sidecar of `mesh`, closed when the scope closes; fails if it cannot start. */
  sidecar: (mesh: DaprMesh, options: SidecarOptions): Effect.Effect<Sidecar, Error, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () => mesh.addSidecar(options),
        catch: (e) => (e instanceof Error ? e : new Error(String(e))),
      }),
      (sidecar) => Effect.promise(() => sidecar.close()),
    ),
}
