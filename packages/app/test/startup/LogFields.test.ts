import { freePort } from "@todo/runtime/embedded-postgres"
import {
  createTestDatabase,
  eventually,
  type OtlpReceiver,
  signUp,
  startOtlpReceiver,
  type TestDatabaseHandle,
} from "@todo/testkit"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { APP_MAIN, killLaunched, launch, whenReady } from "./support/Launch.ts"

/**
 * What the JSON log lines carry (docs/observability.md, "Logs"): the request line names its user once
 * authenticated; `traceId`/`spanId` are those of the span a line is logged in.
 */

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  killLaunched()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

type Line = Record<string, unknown> & { message: string }
const lines = (output: string): Array<Line> =>
  output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line)

const HEX32 = /^[0-9a-f]{32}$/
const HEX16 = /^[0-9a-f]{16}$/

/** `npm start`'s process with JSON logs at debug; a user creates a task already overdue and the agent reacts. */
const scenario = async (env: Record<string, string>) => {
  const db: TestDatabaseHandle = await createTestDatabase()
  cleanups.push(() => db.drop())
  const port = await Effect.runPromise(freePort)
  const app = launch(APP_MAIN, {
    // A secret of its own: without one, npm start would write .data/auth-secret into the checkout.
    env: {
      DATABASE_URL: db.url,
      BETTER_AUTH_SECRET: "log-fields-secret-log-fields-secret-0123",
      PORT: String(port),
      LOG_LEVEL: "debug",
      ...env,
    },
  })
  await whenReady(app, port)
  const url = `http://127.0.0.1:${port}`
  const { client, user } = await signUp(url, "Logs")
  const created = await client.api.tasks.create({
    body: { title: "File taxes", dueDate: "2025-01-10T09:00:00Z" },
    headers: { "x-correlation-id": "logs-corr-1" },
  })
  expect(created.status).toBe(201)
  const decided = await eventually(
    async () => lines(app.stdout()).find((l) => l.message.startsWith("overdue: suggested")),
    { what: "the overdue agent's decision line", timeoutMs: 10_000 },
  )
  const request = lines(app.stdout()).find((l) => l.route === "POST /api/tasks")!
  return { user, request, decided }
}

describe("JSON log lines", () => {
  it("without a trace exporter: the request line has its user and correlation id; lines inside spans have trace ids", async () => {
    const { user, request, decided } = await scenario({})
    expect(request).toMatchObject({ userId: user.id, correlationId: "logs-corr-1", status: 201 })
    // Effect makes no HTTP server span when nothing would export it: the request line has no trace ids.
    expect(request).not.toHaveProperty("traceId")
    // The agent's decision is logged inside its delivery span, with the correlation id the request gave.
    expect(decided).toMatchObject({ correlationId: "logs-corr-1", eventType: "tasks.created" })
    expect(decided.traceId).toMatch(HEX32)
    expect(decided.spanId).toMatch(HEX16)
  }, 60_000)

  it("with a trace exporter: the request line carries the trace and span of its server span, and its user", async () => {
    const otlp: OtlpReceiver = await startOtlpReceiver()
    cleanups.push(() => otlp.close())
    const { user, request, decided } = await scenario({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url })
    expect(request).toMatchObject({ userId: user.id, correlationId: "logs-corr-1" })
    expect(request.traceId).toMatch(HEX32)
    const server = await eventually(
      async () =>
        otlp.trace(String(request.traceId)).find((s) => s.name === "POST /api/tasks" && s.kind === 2),
      { what: "the exported server span of POST /api/tasks" },
    )
    expect(request.spanId).toBe(server.spanId)
    // The event carries the request's trace to the agent: its decision line is in the same trace.
    expect(decided.traceId).toBe(request.traceId)
  }, 60_000)
})
