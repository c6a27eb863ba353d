import type { TestProject } from "vitest/node"
import { prepareServer, type ServerHandle, TEST_SERVER } from "./PostgresHarness.ts"

let shared: { server: Promise<ServerHandle>; users: number } | undefined

/**
 * The run's one test server, for every global setup that needs it (this one, and a project's own, which vitest may
 * run first): started by the first caller, stopped when the last one releases it.
 */
export const acquireTestServer = async () => {
  shared ??= { server: prepareServer(), users: 0 }
  const current = shared
  current.users++
  const server = await current.server
  return {
    server,
    release: async () => {
      if (--current.users > 0) return
      if (shared === current) shared = undefined
      await server.stop()
    },
  }
}

/**
 * Vitest global setup: one PostgreSQL server for the whole run (TEST_DATABASE_URL, or an embedded one), and a
 * migrated template database that each test file clones. The workers get both through vitest's provide/inject
 * (createTestDatabase reads them), not through the environment: nothing here writes process.env.
 */
export default async function setup(project: TestProject) {
  const { server, release } = await acquireTestServer()
  project.provide(TEST_SERVER, { url: server.url, template: server.template })
  return release
}
