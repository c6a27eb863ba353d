import { createTestDatabase, queryRows, type TestDatabaseHandle } from "@todo/testkit"
import { type GoTools, type Stack, type StackOptions, startStack } from "@todo/testkit/dapr"
import { afterAll, beforeAll, describe, inject } from "vitest"

/** The tools from the suite's global setup, or null with the reason the suite skips on this machine. */
export const daprTools = (): GoTools | null => inject("daprTools")

/** `describe` for the real-sidecar suite: skipped, with the printed reason, where daprd cannot be built. */
export const describeDapr = (name: string, body: () => void) => {
  const tools = daprTools()
  const title = tools ? name : `${name} (skipped: ${inject("daprSkipReason")})`
  return describe.skipIf(tools === null)(title, body)
}

/**
 * One stack (kfake, api + daprd, agent + daprd) and one database for a whole test file: started before its tests,
 * stopped after them, also when a test or the start-up failed.
 */
export const sharedStack = (options: Omit<StackOptions, "tools" | "databaseUrl"> = {}) => {
  const state: { stack?: Stack; db?: TestDatabaseHandle } = {}
  beforeAll(async () => {
    state.db = await createTestDatabase()
    state.stack = await startStack({ tools: daprTools()!, databaseUrl: state.db.url, ...options })
  }, 120_000)
  afterAll(async () => {
    await state.stack?.stop()
    await state.db?.drop()
  }, 60_000)
  return {
    get stack() {
      return state.stack!
    },
    get db() {
      return state.db!
    },
  }
}

/** One number from a SQL count. */
export const count = async (url: string, sql: string, params: ReadonlyArray<unknown> = []) =>
  Number((await queryRows<{ n: string | number }>(url, sql, params))[0]!.n)

/** The outbox's event of a task, and how the drills print what they measured. */
export const eventIdOf = async (url: string, taskId: string, type = "tasks.created") =>
  (
    await queryRows<{ event_id: string }>(
      url,
      "SELECT event_id::text FROM outbox WHERE task_id = $1 AND event_type = $2",
      [taskId, type],
    )
  )[0]?.event_id

export const report = (drill: string, figures: Record<string, string | number>) =>
  console.log(
    `[drill] ${drill}: ${Object.entries(figures)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  )

export const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
