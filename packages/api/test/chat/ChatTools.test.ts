import { CurrentActor } from "@todo/messaging"
import { type CreateTask, CreateTask as CreateTaskSchema, EXAMPLE_TASK, type Task } from "@todo/contracts"
import { SuggestionService, TaskService } from "@todo/core/tasks"
import { layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { ChatTools, type InvalidCall, type ValidCall } from "../../src/chat/ChatTools.ts"

const ID = "3f2b8c1e-8f5e-4a9a-9a43-2b0a0b6d1f11"

const task = (fields: Partial<Task>): Task => ({
  ...EXAMPLE_TASK,
  id: ID,
  title: "t",
  priority: "medium",
  dueDate: null,
  remindAt: null,
  recurrence: null,
  tags: [],
  estimateMinutes: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...fields,
})

/** What the task service was called with, and as which actor. */
const calls: Array<{ method: string; userId: string; input: unknown; actor: string }> = []

/**
 * The two services the tools call, as test layers: `create` and `get` answer like the real ones; any other member
 * (and the whole suggestion service) dies as unimplemented when called, so a tool that reaches further fails here.
 */
const ToolsUnderTest = ChatTools.layer.pipe(
  Layer.provide([
    Layer.mock(TaskService, {
      create: (userId: string, input: CreateTask) =>
        Effect.gen(function* () {
          calls.push({ method: "create", userId, input, actor: yield* CurrentActor })
          return task({ title: input.title, tags: [...(input.tags ?? [])], dueDate: input.dueDate ?? null })
        }),
      get: (_userId: string, id: string) => Effect.succeed(task({ id, title: "Existing" })),
    }),
    Layer.mock(SuggestionService, {}),
  ]),
)

type Tools = ChatTools["Service"]

const definition = (tools: Tools, name: string) => {
  const found = tools.definitions.find((d) => d.function.name === name)
  if (!found) throw new Error(`no tool ${name}`)
  return found.function.parameters as {
    type: string
    properties: Record<string, Record<string, unknown>>
    required?: Array<string>
    additionalProperties: boolean
  }
}

const invalid = (tools: Tools, name: string, args: string) => {
  const checked = tools.check(name, args)
  expect(checked._tag).toBe("Invalid")
  return checked as InvalidCall
}
const valid = (tools: Tools, name: string, args: string) => {
  const checked = tools.check(name, args)
  expect(checked._tag).toBe("Valid")
  return checked as ValidCall
}

/** Runs a test against the tools, with the record of calls emptied first. */
const withTools = <A, E, R>(body: (tools: Tools) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    calls.length = 0
    return yield* body(yield* ChatTools)
  })

layer(ToolsUnderTest)("tool definitions", (it) => {
  it.effect("offers the seven tools", () =>
    withTools((tools) =>
      Effect.sync(() => {
        expect(tools.definitions.map((d) => d.function.name)).toEqual([
          "create_task",
          "list_tasks",
          "update_task",
          "complete_task",
          "delete_task",
          "list_suggestions",
          "accept_suggestion",
        ])
        expect(tools.definitions.every((d) => d.type === "function")).toBe(true)
      }),
    ),
  )

  it.effect("derives JSON Schemas from the contract's schemas, closed to extra keys", () =>
    withTools((tools) =>
      Effect.sync(() => {
        const create = definition(tools, "create_task")
        expect(create.type).toBe("object")
        expect(Object.keys(create.properties)).toEqual(Object.keys(CreateTaskSchema.fields))
        expect(create.required).toEqual(["title"])
        expect(create.additionalProperties).toBe(false)
        expect(create.properties.priority).toMatchObject({ enum: ["low", "medium", "high", "urgent"] })
        expect(create.properties.tags).toMatchObject({ type: "array", maxItems: 20 })
        expect(create.properties.estimateMinutes).toMatchObject({
          anyOf: [{ type: "integer", minimum: 1, maximum: 1440 }, { type: "null" }],
        })
        expect(String(create.properties.dueDate!.description)).toContain("ISO 8601")

        const list = definition(tools, "list_tasks")
        expect(list.properties.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 100 })
        expect(list.properties.overdue).toMatchObject({ type: "boolean" })
        expect(list.properties.status).toMatchObject({ enum: ["open", "completed", "all"] })
        expect(list.properties.q).toMatchObject({ type: "string", minLength: 1, maxLength: 200 })

        const update = definition(tools, "update_task")
        expect(update.required).toEqual(["id"])
        expect(update.properties.id).toMatchObject({ type: "string", format: "uuid" })
        expect(Object.keys(definition(tools, "delete_task").properties)).toEqual(["id"])
        expect(Object.keys(definition(tools, "accept_suggestion").properties)).toEqual(["id"])
      }),
    ),
  )
})

layer(ToolsUnderTest)("argument checking", (it) => {
  it.effect("answers every schema issue, with its path, and runs nothing", () =>
    withTools((tools) =>
      Effect.sync(() => {
        const call = invalid(
          tools,
          "create_task",
          JSON.stringify({ title: "  ", dueDate: "tomorrow", colour: "red" }),
        )
        expect(call.outcome.ok).toBe(false)
        expect(call.outcome.forModel).toEqual({
          ok: false,
          error: "invalid arguments: nothing was done. Correct them and call the tool again.",
          issues: [
            { path: "colour", message: "Expected no excess property" },
            { path: "title", message: "Expected text that is not blank" },
            {
              path: "dueDate",
              message: "Expected an ISO 8601 instant with an offset, e.g. 2026-11-25T09:00:00Z",
            },
          ],
        })
        expect(call.arguments).toEqual({ title: "  ", dueDate: "tomorrow", colour: "red" })
        expect(calls).toEqual([])
      }),
    ),
  )

  it.effect("answers arguments that are not JSON, and unknown tools", () =>
    withTools((tools) =>
      Effect.sync(() => {
        expect(invalid(tools, "create_task", "{title: milk").outcome.forModel).toEqual({
          ok: false,
          error: "The arguments are not valid JSON; send a JSON object.",
        })
        expect(String(invalid(tools, "drop_database", "{}").outcome.forModel.error)).toContain(
          'Unknown tool "drop_database"',
        )
        expect(
          invalid(tools, "list_tasks", JSON.stringify({ limit: 0, overdue: "yes" })).outcome.forModel.issues,
        ).toEqual([
          { path: "limit", message: "Expected a value between 1 and 100" },
          { path: "overdue", message: "Expected boolean" },
        ])
      }),
    ),
  )

  it.effect("runs a valid call with the decoded arguments, as actor chat", () =>
    withTools((tools) =>
      Effect.gen(function* () {
        const call = valid(
          tools,
          "create_task",
          JSON.stringify({
            title: "  Buy milk ",
            tags: ["Home", "home"],
            dueDate: "2026-03-11T09:00:00+01:00",
          }),
        )
        expect(call.deletes).toBeUndefined()
        const outcome = yield* call.run("user-1")
        expect(calls).toEqual([
          {
            method: "create",
            userId: "user-1",
            input: { title: "Buy milk", tags: ["home"], dueDate: "2026-03-11T08:00:00.000Z" },
            actor: "chat",
          },
        ])
        expect(outcome).toMatchObject({ ok: true, summary: 'Created task "Buy milk".', taskIds: [ID] })
      }),
    ),
  )

  it.effect("names the task a delete_task call would delete, and refuses with the task's title", () =>
    withTools((tools) =>
      Effect.gen(function* () {
        expect(valid(tools, "delete_task", JSON.stringify({ id: ID })).deletes).toBe(ID)
        const refusal = yield* tools.refuseDeletion("user-1", ID)
        expect(refusal).toMatchObject({
          ok: false,
          exists: true,
          taskIds: [ID],
          forModel: { ok: false, awaitingConfirmation: { id: ID, title: "Existing" } },
        })
        expect(String(refusal.forModel.error)).toMatch(/^refused: deleting more than one task in one message/)
      }),
    ),
  )
})
