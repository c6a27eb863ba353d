import { prepareServer } from "./PostgresHarness.ts"

/**
 * Vitest global setup: one PostgreSQL server for the whole run (TEST_DATABASE_URL, or an embedded one), and a
 * migrated template database that each test file clones. Workers inherit the environment set here.
 */
export default async function setup() {
  const server = await prepareServer()
  process.env.TEST_DATABASE_URL = server.url
  process.env.TODO_TEST_TEMPLATE_DB = server.template
  return async () => {
    await server.stop()
  }
}
