import type { TestProject } from "vitest/node"
import { prepareServer, TEST_SERVER } from "./PostgresHarness.ts"

/**
 * Vitest global setup: one PostgreSQL server for the whole run (TEST_DATABASE_URL, or an embedded one), and a
 * migrated template database that each test file clones. The workers get both through vitest's provide/inject
 * (createTestDatabase reads them), not through the environment: nothing here writes process.env.
 */
export default async function setup(project: TestProject) {
  const server = await prepareServer()
  project.provide(TEST_SERVER, { url: server.url, template: server.template })
  return async () => {
    await server.stop()
  }
}
