import { CurrentActor } from "@todo/messaging"
import {
  CreateTask,
  ListSuggestionsQuery,
  ListTasksQuery,
  type Suggestion,
  SuggestionIdParams,
  type Task,
  TaskIdParams,
  UpdateTask,
} from "@todo/contracts"
import { SuggestionService, TaskService } from "@todo/core/tasks"
import { Context, Effect, Layer, Predicate, Schema } from "effect"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import { isHttpError } from "@todo/runtime"
import type { ModelTool } from "./ChatModel.ts"

/**
 * The tools the model may call. Each one's arguments are an Effect schema built from the contract's own schemas
 * (the same ones the REST routes validate with); the JSON Schema the model sees is derived from it, and every call
 * is decoded with it, excess keys included, before anything runs. A call that does not decode is answered to the
 * model as an error it can correct. Every tool acts through TaskService / SuggestionService on the caller's tasks
 * only, as actor "chat", so the chat writes the same events as the API.
 */

// ---- argument schemas (from the contract) ----

/** `list_tasks`: the API's list filters; `limit` and `overdue` as JSON number / boolean instead of query text. */
export const ListTasksArgs = ListTasksQuery.mapFields(({ limit, overdue, ...fields }) => ({
  ...fields,
  limit: Schema.toType(limit),
  overdue: Schema.toType(overdue),
}))
export const CreateTaskArgs = CreateTask
export const UpdateTaskArgs = Schema.Struct({ ...TaskIdParams.fields, ...UpdateTask.fields })
export const TaskIdArgs = TaskIdParams
export const ListSuggestionsArgs = ListSuggestionsQuery.mapFields(({ limit, ...fields }) => ({
  ...fields,
  limit: Schema.toType(limit),
}))
export const SuggestionIdArgs = SuggestionIdParams

/** Default page size of list_tasks for the chat: enough to answer, small enough for the model's context. */
export const CHAT_LIST_LIMIT = 25

// ---- what a tool answers ----

/** A tool's answer: JSON for the model (sent as a tool message), a one-line summary and the tasks it concerned. */
export interface ToolOutcome {
  readonly ok: boolean
  readonly forModel: Record<string, unknown>
  readonly summary: string
  readonly taskIds: ReadonlyArray<string>
}

export interface ArgumentIssue {
  readonly path: string
  readonly message: string
}

/** A call whose arguments decoded: ready to run. `deletes` names the task a delete_task call would delete. */
export interface ValidCall {
  readonly _tag: "Valid"
  readonly tool: string
  readonly arguments: unknown
  readonly deletes: string | undefined
  readonly run: (userId: string) => Effect.Effect<ToolOutcome, SqlError>
}

/** A call that cannot run: unknown tool, arguments that are not JSON, or arguments the schema rejects. */
export interface InvalidCall {
  readonly _tag: "Invalid"
  readonly tool: string
  readonly arguments: unknown
  readonly outcome: ToolOutcome
}

// ---- helpers ----

/** A task as the model sees it: every field the user sees, without the bookkeeping. */
const taskView = ({ createdAt: _c, updatedAt: _u, version: _v, repeatFrom: _r, ...view }: Task) => view

const suggestionView = (s: Suggestion) => ({
  id: s.id,
  taskId: s.taskId,
  type: s.type,
  message: s.message,
  proposedChange: s.proposedChange,
  status: s.status,
})

const failure = (error: string, taskIds: ReadonlyArray<string> = []): ToolOutcome => ({
  ok: false,
  forModel: { ok: false, error },
  summary: error,
  taskIds,
})

const quote = (title: string) => JSON.stringify(title)

/**
 * A domain error as an answer the model can act on: the detail (and field) the REST API would answer with, from
 * the error's own HTTP meaning.
 */
const domainFailure = (error: unknown): ToolOutcome => {
  if (!isHttpError(error)) return failure("The action failed.")
  const { detail, errors } = error.httpMeaning
  const field = errors?.[0]?.path.replace(/^body\./, "")
  return failure(field !== undefined && field !== "query.cursor" ? `${field}: ${detail}` : detail)
}

/** Domain errors become an answer to the model; a database error fails the whole request. */
const answerDomainErrors = <E>(effect: Effect.Effect<ToolOutcome, E>): Effect.Effect<ToolOutcome, SqlError> =>
  effect.pipe(
    Effect.catch((error: E) =>
      isSqlError(error) ? Effect.fail(error) : Effect.succeed(domainFailure(error)),
    ),
  )

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** The model's JSON arguments as a value; a string that is not JSON stays a string (and fails decoding). */
const parseArguments = (raw: string): { readonly ok: boolean; readonly value: unknown } => {
  if (raw.trim() === "") return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown }
  } catch {
    return { ok: false, value: raw }
  }
}

type Decoded<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly issues: ReadonlyArray<ArgumentIssue> }

/** Decodes arguments with every issue reported (excess keys too), each with its path: `tags.0`, `dueDate`. */
const decoderOf = <A>(schema: Schema.Codec<A, unknown>) => {
  const validate = Schema.toStandardSchemaV1(schema, {
    parseOptions: { errors: "all", onExcessProperty: "error" },
  })["~standard"].validate
  return (input: unknown): Decoded<A> => {
    const result = validate(input)
    if (result instanceof Promise) throw new Error("asynchronous schemas are not supported")
    if (result.issues === undefined) return { ok: true, value: result.value }
    return {
      ok: false,
      issues: result.issues.map((issue) => ({
        path:
          (issue.path ?? [])
            .map((p) => (Predicate.isObject(p) && "key" in p ? String(p.key) : String(p)))
            .join(".") || "(arguments)",
        message: issue.message,
      })),
    }
  }
}

/** A JSON Schema for the model from an argument schema, with a description per property where it helps. */
const parametersOf = (schema: Schema.Top, hints: Readonly<Record<string, string>>) => {
  const doc = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" })
  const root = doc.schema as Record<string, unknown>
  const properties = (root.properties ?? {}) as Record<string, Record<string, unknown>>
  for (const [key, description] of Object.entries(hints)) {
    const property = properties[key]
    if (property === undefined) throw new Error(`tool hint for unknown property ${key}`)
    properties[key] = { ...property, description }
  }
  const { title: _title, ...rest } = root
  return Object.keys(doc.definitions).length > 0 ? { ...rest, $defs: doc.definitions } : rest
}

// ---- the tools ----

interface ToolSpec<A> {
  readonly name: string
  readonly description: string
  readonly schema: Schema.Codec<A, unknown>
  readonly hints: Readonly<Record<string, string>>
  /** For delete_task: which task the call would delete. */
  readonly deletes?: (args: A) => string
  readonly run: (userId: string, args: A) => Effect.Effect<ToolOutcome, SqlError>
}

interface AnyTool {
  readonly name: string
  readonly definition: ModelTool
  readonly decode: (input: unknown) => Decoded<Pick<ValidCall, "deletes" | "run">>
}

const tool = <A>(spec: ToolSpec<A>): AnyTool => {
  const decodeArgs = decoderOf(spec.schema)
  return {
    name: spec.name,
    definition: {
      type: "function",
      function: {
        name: spec.name,
        description: spec.description,
        parameters: parametersOf(spec.schema, spec.hints),
      },
    },
    decode: (input) => {
      const decoded = decodeArgs(input)
      if (!decoded.ok) return decoded
      const args = decoded.value
      return {
        ok: true,
        value: {
          deletes: spec.deletes?.(args),
          run: (userId: string) => spec.run(userId, args).pipe(Effect.provideService(CurrentActor, "chat")),
        },
      }
    },
  }
}

const INSTANT_HINT = "An ISO 8601 instant with an offset, e.g. 2026-11-25T09:00:00+01:00; null clears it."
const TASK_ID_HINT = "The task's id, from list_tasks or create_task."

export class ChatTools extends Context.Service<
  ChatTools,
  {
    /** The tool list sent with every model request. */
    readonly definitions: ReadonlyArray<ModelTool>
    /** Checks one tool call: unknown tools, non-JSON and schema-rejected arguments become an error outcome. */
    readonly check: (name: string, rawArguments: string) => ValidCall | InvalidCall
    /** The answer to a delete_task call that the deletion rule refused (the task must exist for this user). */
    readonly refuseDeletion: (
      userId: string,
      taskId: string,
    ) => Effect.Effect<ToolOutcome & { readonly exists: boolean }, SqlError>
  }
>()("@todo/api/ChatTools") {
  static readonly layer = Layer.effect(
    ChatTools,
    Effect.gen(function* () {
      const tasks = yield* TaskService
      const suggestions = yield* SuggestionService

      const tools: ReadonlyArray<AnyTool> = [
        tool({
          name: "create_task",
          description: "Create a task for the user.",
          schema: CreateTaskArgs,
          hints: {
            title: "The task's title, 1-200 characters.",
            dueDate: `When the task is due. ${INSTANT_HINT}`,
            remindAt: `When to remind the user. ${INSTANT_HINT}`,
            recurrence: "An RFC 5545 RRULE for a repeating task, e.g. FREQ=WEEKLY;BYDAY=MO,TH.",
            tags: "Tags, without spaces, commas or #.",
          },
          run: (userId, args) =>
            tasks.create(userId, args).pipe(
              Effect.map(
                (task): ToolOutcome => ({
                  ok: true,
                  forModel: { ok: true, task: taskView(task) },
                  summary: `Created task ${quote(task.title)}.`,
                  taskIds: [task.id],
                }),
              ),
              answerDomainErrors,
            ),
        }),
        tool({
          name: "list_tasks",
          description:
            "List or search the user's tasks (open and completed unless status says otherwise). The answer holds the tasks and a cursor for the next page (null on the last).",
          schema: ListTasksArgs,
          hints: {
            q: "Full-text search in titles, descriptions and tags.",
            status: "open, completed or all (the default).",
            priority: "Only tasks of this priority (or these priorities).",
            tag: "Only tasks with this tag (or any of these tags).",
            dueBefore: "Only tasks due before this instant (ISO 8601 with an offset).",
            dueAfter: "Only tasks due after this instant (ISO 8601 with an offset).",
            remindAfter: "Only tasks with a reminder at or after this instant (ISO 8601 with an offset).",
            overdue: "true: only open tasks whose due date has passed.",
            limit: `Page size, 1-100 (default ${CHAT_LIST_LIMIT}).`,
            cursor: "nextCursor of the previous answer, for the next page.",
          },
          run: (userId, args) =>
            tasks.list(userId, { ...args, limit: args.limit ?? CHAT_LIST_LIMIT }).pipe(
              Effect.map(
                (page): ToolOutcome => ({
                  ok: true,
                  forModel: { ok: true, tasks: page.items.map(taskView), nextCursor: page.nextCursor },
                  summary: `Found ${plural(page.items.length, "task")}${page.nextCursor === null ? "" : " (more on the next page)"}.`,
                  taskIds: page.items.map((t) => t.id),
                }),
              ),
              answerDomainErrors,
            ),
        }),
        tool({
          name: "update_task",
          description:
            "Change fields of one of the user's tasks. Give only the fields to change; null clears a field.",
          schema: UpdateTaskArgs,
          hints: {
            id: TASK_ID_HINT,
            dueDate: `New due date. ${INSTANT_HINT}`,
            remindAt: `New reminder time. ${INSTANT_HINT}`,
            recurrence: "An RFC 5545 RRULE, e.g. FREQ=DAILY; null makes the task one-off.",
          },
          run: (userId, { id, ...patch }) =>
            tasks.update(userId, id, patch).pipe(
              Effect.map((task): ToolOutcome => {
                const fields = Object.keys(patch)
                return {
                  ok: true,
                  forModel: { ok: true, task: taskView(task) },
                  summary:
                    fields.length === 0
                      ? `Left task ${quote(task.title)} unchanged.`
                      : `Updated task ${quote(task.title)} (${fields.join(", ")}).`,
                  taskIds: [task.id],
                }
              }),
              answerDomainErrors,
            ),
        }),
        tool({
          name: "complete_task",
          description:
            "Mark one of the user's tasks as done. A recurring task rolls over to its next occurrence.",
          schema: TaskIdArgs,
          hints: { id: TASK_ID_HINT },
          run: (userId, { id }) =>
            tasks.complete(userId, id).pipe(
              Effect.map(
                ({ task, next }): ToolOutcome => ({
                  ok: true,
                  forModel: { ok: true, task: taskView(task), next: next === null ? null : taskView(next) },
                  summary: `Completed task ${quote(task.title)}${next === null ? "" : "; its next occurrence was created"}.`,
                  taskIds: next === null ? [task.id] : [task.id, next.id],
                }),
              ),
              answerDomainErrors,
            ),
        }),
        tool({
          name: "delete_task",
          description:
            "Delete one of the user's tasks for good. At most one per user message unless the user confirmed a proposed deletion.",
          schema: TaskIdArgs,
          hints: { id: TASK_ID_HINT },
          deletes: ({ id }) => id,
          run: (userId, { id }) =>
            Effect.gen(function* () {
              const task = yield* tasks.get(userId, id)
              yield* tasks.remove(userId, id)
              return {
                ok: true,
                forModel: { ok: true, deleted: { id, title: task.title } },
                summary: `Deleted task ${quote(task.title)}.`,
                taskIds: [id],
              } satisfies ToolOutcome
            }).pipe(answerDomainErrors),
        }),
        tool({
          name: "list_suggestions",
          description:
            "List the suggestions the app's agents made for the user's tasks (default: pending ones), e.g. to move an overdue task.",
          schema: ListSuggestionsArgs,
          hints: {
            status: "pending (default), accepted, dismissed or all.",
            taskId: "Only suggestions for this task.",
            limit: `Page size, 1-100 (default ${CHAT_LIST_LIMIT}).`,
          },
          run: (userId, args) =>
            suggestions.list(userId, { ...args, limit: args.limit ?? CHAT_LIST_LIMIT }).pipe(
              Effect.map(
                (page): ToolOutcome => ({
                  ok: true,
                  forModel: {
                    ok: true,
                    suggestions: page.items.map(suggestionView),
                    nextCursor: page.nextCursor,
                  },
                  summary: `Found ${plural(page.items.length, "suggestion")}.`,
                  taskIds: [...new Set(page.items.map((s) => s.taskId))],
                }),
              ),
              answerDomainErrors,
            ),
        }),
        tool({
          name: "accept_suggestion",
          description: "Accept a pending suggestion: its proposed change is applied to its task.",
          schema: SuggestionIdArgs,
          hints: { id: "The suggestion's id, from list_suggestions." },
          run: (userId, { id }) =>
            suggestions.accept(userId, id).pipe(
              Effect.map(
                ({ suggestion, task }): ToolOutcome => ({
                  ok: true,
                  forModel: { ok: true, suggestion: suggestionView(suggestion), task: taskView(task) },
                  summary: `Accepted the ${suggestion.type} suggestion for task ${quote(task.title)}.`,
                  taskIds: [task.id],
                }),
              ),
              answerDomainErrors,
            ),
        }),
      ]
      const byName = new Map(tools.map((t) => [t.name, t]))

      const check = (name: string, rawArguments: string): ValidCall | InvalidCall => {
        const parsed = parseArguments(rawArguments)
        const invalid = (outcome: ToolOutcome): InvalidCall => ({
          _tag: "Invalid",
          tool: name,
          arguments: parsed.value,
          outcome,
        })
        const found = byName.get(name)
        if (found === undefined) {
          return invalid(
            failure(`Unknown tool ${quote(name)}. Use one of: ${[...byName.keys()].join(", ")}.`),
          )
        }
        if (!parsed.ok) return invalid(failure("The arguments are not valid JSON; send a JSON object."))
        const decoded = found.decode(parsed.value)
        if (!decoded.ok) {
          const issues = decoded.issues
          return invalid({
            ok: false,
            forModel: {
              ok: false,
              error: "invalid arguments: nothing was done. Correct them and call the tool again.",
              issues,
            },
            summary: `Invalid arguments: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
            taskIds: [],
          })
        }
        return { _tag: "Valid", tool: name, arguments: parsed.value, ...decoded.value }
      }

      const refuseDeletion = (userId: string, taskId: string) =>
        tasks.get(userId, taskId).pipe(
          Effect.map((task) => ({
            ok: false,
            exists: true,
            forModel: {
              ok: false,
              error:
                "refused: deleting more than one task in one message needs the user's explicit confirmation. Nothing was deleted by this call. Do not retry; list the tasks you want to delete and ask the user to confirm.",
              awaitingConfirmation: { id: task.id, title: task.title },
            },
            summary: `Refused to delete task ${quote(task.title)} without confirmation: deleting more than one task in one message needs the user's confirmation.`,
            taskIds: [task.id],
          })),
          Effect.catchTag("TaskNotFound", (e) => Effect.succeed({ ...domainFailure(e), exists: false })),
        )

      return ChatTools.of({ definitions: tools.map((t) => t.definition), check, refuseDeletion })
    }),
  )
}
