import { freePort } from "@todo/runtime/EmbeddedPostgres"
import { createTestDatabase, type ServiceProcess, startService, type TestDatabaseHandle } from "@todo/testkit"
import { DaprMesh, type SidecarOptions } from "@todo/testkit/dapr/index"
import { Effect } from "effect"

/**
 * The deployed shape on one machine: api and agent as separate processes, each talking to its own simulated Dapr
 * sidecar (DAPR.md), the simulated broker between the sidecars, a fresh database. `stop` tears it all down.
 */
export const startDeployed = async (options: {
  readonly env?: Record<string, string>
  readonly sidecars?: Partial<SidecarOptions>
  readonly tokens?: { readonly dapr: string; readonly app: string }
}) => {
  const db: TestDatabaseHandle = await createTestDatabase()
  const mesh = new DaprMesh({
    defaults: { resiliency: { maxRetries: 3, intervalMs: 50 }, ...options.sidecars },
  })
  const started: Array<ServiceProcess> = []
  try {
    const apiSidecar = await mesh.addSidecar({
      appId: "todo-api",
      ...(options.tokens ? { daprApiToken: options.tokens.dapr } : {}),
    })
    const agentSidecar = await mesh.addSidecar({
      appId: "todo-agent",
      ...(options.tokens ? { appApiToken: options.tokens.app } : {}),
    })
    const agent = await startService({
      script: "packages/agent/src/main.ts",
      port: await Effect.runPromise(freePort),
      env: {
        DATABASE_URL: db.url,
        ...agentSidecar.env(),
        ...(options.tokens ? { APP_API_TOKEN: options.tokens.app } : {}),
        ...options.env,
      },
    })
    started.push(agent)
    await agentSidecar.connectApp(agent.url)
    const api = await startService({
      script: "packages/api/src/main.ts",
      port: await Effect.runPromise(freePort),
      env: {
        DATABASE_URL: db.url,
        BETTER_AUTH_SECRET: "deployed-secret-deployed-secret-0123456789",
        ...apiSidecar.env(),
        ...(options.tokens ? { DAPR_API_TOKEN: options.tokens.dapr } : {}),
        ...options.env,
      },
    })
    started.push(api)
    return {
      api,
      agent,
      mesh,
      db,
      stop: async () => {
        await api.stop()
        await agent.stop()
        await mesh.close()
        await db.drop()
      },
    }
  } catch (error) {
    for (const s of started) await s.stop()
    await mesh.close()
    await db.drop()
    throw error
  }
}
export type Deployed = Awaited<ReturnType<typeof startDeployed>>
