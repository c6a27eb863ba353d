import { randomUUID } from "node:crypto"
import type { TaskEvent } from "@todo/contracts"
import { EVENT_SCHEMA_VERSION, TASKS_TOPIC } from "@todo/contracts"
import { Clock, Effect } from "effect"
import { SqlClient } from "effect/sql/SqlClient"

/** A user row (Better Auth's table) and, optionally, their settings. */
export const seedUser = (settings?: { timezone?: string; agentsEnabled?: boolean }) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const id = randomUUID()
    yield* sql`INSERT INTO "user" (id, name, email, "emailVerified") VALUES (${id}, 'Test', ${`${id}@example.com`}, false)`
    if (settings) {
      yield* sql`INSERT INTO user_settings (user_id, timezone, agents_enabled)
                 VALUES (${id}, ${settings.timezone ?? "UTC"}, ${settings.agentsEnabled ?? true})`
    }
    return id
  })

export const seedTask = (
  userId: string,
  task: {
    title?: string
    dueDate?: string | null
    remindAt?: string | null
    priority?: string
    completed?: boolean
  },
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const id = randomUUID()
    // Created "now" on the test's clock, so the agents see a fresh task, not one years old.
    const createdAt = new Date(yield* Clock.currentTimeMillis)
    yield* sql`
      INSERT INTO tasks (id, user_id, title, priority, due_date, remind_at, completed, created_at)
      VALUES (${id}, ${userId}, ${task.title ?? "A task"}, ${task.priority ?? "medium"}, ${task.dueDate ?? null},
              ${task.remindAt ?? null}, ${task.completed ?? false}, ${createdAt})`
    return id
  })

/** A task event as the API would have written it. */
export const taskEvent = <E extends TaskEvent>(
  event: Omit<E, "eventId" | "correlationId" | "timestamp" | "schemaVersion" | "actor"> & {
    correlationId?: string
  },
): E =>
  ({
    eventId: randomUUID(),
    correlationId: "corr-test",
    timestamp: new Date().toISOString(),
    schemaVersion: EVENT_SCHEMA_VERSION,
    actor: "user",
    ...event,
  }) as unknown as E

/** The CloudEvent a sidecar would deliver for it (docs/dapr.md §1 for the envelope, §2 for the delivery). */
export const cloudEvent = (event: TaskEvent) => ({
  id: event.eventId,
  source: "todo-api",
  type: event.eventType,
  specversion: "1.0",
  datacontenttype: "application/json",
  data: event,
  topic: TASKS_TOPIC,
  pubsubname: "pubsub-kafka",
  traceparent: "",
  tracestate: "",
})

export const rows = <A extends object>(query: string, params: ReadonlyArray<unknown> = []) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient
    return yield* sql.unsafe<A>(query, params)
  })
