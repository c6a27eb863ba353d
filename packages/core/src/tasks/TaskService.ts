import { Outbox } from "@todo/messaging"
import { randomUUID } from "node:crypto"
import {
  type CreateTask,
  CreateTask as CreateTaskSchema,
  type ListTasksQuery,
  type QuickAddParse,
  type Task,
  UpdateTask,
} from "@todo/contracts"
import { ruleBudget, validateRule, type WorkBudget } from "@todo/calendar/recurrence"
import { calendarWorkSteps } from "@todo/runtime"
import { Clock, Context, Effect, Layer, Metric, Option, Result } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

import { UserSettings } from "../accounts/UserSettings.ts"
import { taskChangeNotice } from "../live/UserChanges.ts"
import { type InvalidCursor, InvalidTaskField, TaskNotFound, VersionConflict } from "../Errors.ts"
import { parseQuickAdd } from "./QuickAdd.ts"
import { nextOccurrence, shiftReminder } from "./Recurrence.ts"
import { type TaskChanges, type TaskFields, type TaskPage, TaskRepo } from "./TaskRepo.ts"
import { TASK_DEFAULTS } from "./TaskRow.ts"

/**
 * Every write here quiets the tasks trigger for its transaction and sends the live stream's notice of each task
 * change after the commit (with its event), so that no task write commits with a NOTIFY (Notifier, in
 * @todo/runtime, says why).
 */
const deferTaskNotify = { deferTaskNotify: true } as const

/** The fields a PATCH may change, in the order `changes` lists them: the contract's. */
type Updatable = keyof UpdateTask
const UPDATABLE = Object.keys(UpdateTask.fields) as ReadonlyArray<Updatable>

/** The fields a user sets on a task (what a create may carry), as the task holds them. */
const CREATABLE = Object.keys(CreateTaskSchema.fields) as ReadonlyArray<keyof CreateTask>
const userFieldsOf = (task: Task): CreateTask =>
  // Object.fromEntries types its result as a string-keyed record; the keys are CreateTask's and the values the
  // task's own (every stored field is a valid create value), which TypeScript cannot follow through a key list.
  Object.fromEntries(CREATABLE.map((k) => [k, task[k]])) as unknown as CreateTask

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** `If-Match: 3`, `"3"` or `W/"3"`: the version the client last saw. */
export const parseIfMatch = (header: string | undefined): number | undefined | InvalidTaskField => {
  if (header === undefined) return undefined
  const m = header.trim().match(/^(?:W\/)?"?(\d{1,9})"?$/)
  if (!m)
    return new InvalidTaskField({ field: "headers.if-match", message: 'Expected a task version, e.g. "3"' })
  return Number(m[1])
}

/** A recurrence the schema let through must also be one the recurrence engine can run, within the request's budget. */
const checkRecurrence = (
  rule: string | null | undefined,
  budget: WorkBudget,
): Effect.Effect<void, InvalidTaskField> => {
  if (rule === null || rule === undefined) return Effect.void
  const parsed = validateRule(rule, budget)
  return Result.isFailure(parsed)
    ? Effect.fail(new InvalidTaskField({ field: "body.recurrence", message: parsed.failure }))
    : Effect.void
}

/** A reminder after the due date is almost certainly a mistake the user wants to hear about. */
const checkReminder = (
  dueDate: string | null,
  remindAt: string | null,
): Effect.Effect<void, InvalidTaskField> =>
  dueDate !== null && remindAt !== null && Date.parse(remindAt) > Date.parse(dueDate)
    ? Effect.fail(
        new InvalidTaskField({
          field: "body.remindAt",
          message: "The reminder must not be after the due date",
        }),
      )
    : Effect.void

/**
 * Runs `f` with a fresh calendar work budget (one per request: validating a rule, rolling a task over, reading a
 * quick-add text) and records the steps it spent in the `calendar_work_steps` histogram, whatever the outcome.
 */
const withCalendarBudget = <A, E, R>(f: (budget: WorkBudget) => Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const budget = ruleBudget()
    return f(budget).pipe(
      Effect.ensuring(
        Effect.suspend(() =>
          budget.spent > 0 ? Metric.update(calendarWorkSteps, budget.spent) : Effect.void,
        ),
      ),
    )
  })

export interface CompleteResult {
  readonly task: Task
  readonly next: Task | null
}

/**
 * Every change to a task, each in one transaction with the event it causes, written to the outbox. A request that
 * changes nothing (an idempotent repeat) writes no event.
 */
export class TaskService extends Context.Service<
  TaskService,
  {
    readonly create: (userId: string, input: CreateTask) => Effect.Effect<Task, SqlError | InvalidTaskField>
    readonly get: (userId: string, id: string) => Effect.Effect<Task, SqlError | TaskNotFound>
    readonly list: (
      userId: string,
      query: ListTasksQuery,
    ) => Effect.Effect<TaskPage, SqlError | InvalidCursor>
    readonly update: (
      userId: string,
      id: string,
      patch: UpdateTask,
      expectedVersion?: number,
    ) => Effect.Effect<Task, SqlError | TaskNotFound | VersionConflict | InvalidTaskField>
    readonly remove: (userId: string, id: string) => Effect.Effect<void, SqlError | TaskNotFound>
    readonly complete: (
      userId: string,
      id: string,
    ) => Effect.Effect<CompleteResult, SqlError | TaskNotFound | InvalidTaskField>
    readonly incomplete: (userId: string, id: string) => Effect.Effect<Task, SqlError | TaskNotFound>
    readonly tags: (userId: string) => Effect.Effect<ReadonlyArray<{ tag: string; count: number }>, SqlError>
    /** What quick add understands in a line of text, in the user's time zone, without creating anything. */
    readonly parseQuick: (
      userId: string,
      text: string,
    ) => Effect.Effect<QuickAddParse, SqlError | InvalidTaskField>
    /** Creates the task quick add understood; answers it with what was understood. */
    readonly quickAdd: (
      userId: string,
      text: string,
    ) => Effect.Effect<{ task: Task; parsed: QuickAddParse }, SqlError | InvalidTaskField>
  }
>()("@todo/core/TaskService") {
  static readonly layer = Layer.effect(
    TaskService,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const repo = yield* TaskRepo
      const outbox = yield* Outbox
      const settings = yield* UserSettings

      const load = (userId: string, id: string) =>
        repo.findForUpdate(userId, id).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(new TaskNotFound({ taskId: id })),
              onSome: Effect.succeed,
            }),
          ),
        )

      // One statement writes the task and its event (Outbox.appendWith): on its own it is its own transaction, so
      // a create is one round trip and one commit instead of BEGIN, two INSERTs and COMMIT. The event is made
      // from the fields, not the inserted row; the due date as PostgreSQL's timestamptz gives it back.
      const insertWithEvent = (userId: string, fields: TaskFields) =>
        Effect.gen(function* () {
          const id = randomUUID()
          const { rows } = yield* outbox.appendWith(
            {
              eventType: "tasks.created",
              taskId: id,
              userId,
              title: fields.title,
              priority: fields.priority,
              dueDate: fields.dueDate === null ? null : new Date(fields.dueDate).toISOString(),
              recurring: fields.recurrence !== null,
              estimateMinutes: fields.estimateMinutes,
            },
            yield* repo.insertStatement(userId, id, fields),
            // The live stream's notice goes out after the commit, so the statement commits without a NOTIFY.
            [taskChangeNotice(userId, id, "created")],
          )
          return yield* repo.inserted(rows)
        })

      const create = Effect.fn("TaskService.create")(function* (userId: string, input: CreateTask) {
        yield* withCalendarBudget((budget) => checkRecurrence(input.recurrence, budget))
        yield* checkReminder(input.dueDate ?? null, input.remindAt ?? null)
        // A priority in the request is the user's explicit choice (the prioritization agent respects it a while).
        const prioritySetAt =
          input.priority === undefined ? null : new Date(yield* Clock.currentTimeMillis).toISOString()
        const fields: TaskFields = { ...TASK_DEFAULTS, ...input, prioritySetAt }
        // No transaction and no separate user lock: nothing is read first, and the one statement locks the user
        // before the event's id.
        return yield* insertWithEvent(userId, fields)
      })

      // Reads are one statement each, under a route span that already says what they are (GET /api/tasks…): no
      // span of their own, their `postgres` span hangs off the request's. Writes keep theirs (transaction, outbox).
      const get = Effect.fnUntraced(function* (userId: string, id: string) {
        return yield* repo.find(userId, id).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.fail(new TaskNotFound({ taskId: id })),
              onSome: Effect.succeed,
            }),
          ),
        )
      })

      const list = Effect.fnUntraced(function* (userId: string, query: ListTasksQuery) {
        const now = new Date(yield* Clock.currentTimeMillis)
        return yield* repo.list(userId, query, now)
      })

      const update = Effect.fn("TaskService.update")(function* (
        userId: string,
        id: string,
        patch: UpdateTask,
        expectedVersion?: number,
      ) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId, deferTaskNotify)
            const current = yield* load(userId, id)
            if (expectedVersion !== undefined && expectedVersion !== current.version) {
              return yield* new VersionConflict({
                taskId: id,
                expected: expectedVersion,
                actual: current.version,
              })
            }
            const changes: Record<string, { from: unknown; to: unknown }> = {}
            const set: Record<string, unknown> = {}
            for (const field of UPDATABLE) {
              const to = patch[field]
              if (to === undefined || same(current[field], to)) continue
              changes[field] = { from: current[field], to }
              set[field] = to
            }
            if (Object.keys(changes).length === 0) return current
            yield* withCalendarBudget((budget) => checkRecurrence(patch.recurrence, budget))
            yield* checkReminder(
              patch.dueDate !== undefined ? patch.dueDate : current.dueDate,
              patch.remindAt !== undefined ? patch.remindAt : current.remindAt,
            )
            // Setting the priority, even to what an agent proposed, is the user's explicit choice.
            if ("priority" in set) set.prioritySetAt = new Date(yield* Clock.currentTimeMillis).toISOString()
            // The keys are the contract's and the values decoded by it: the update shape of the same fields.
            const task = yield* repo.update(userId, id, set as TaskChanges)
            yield* outbox.append({ eventType: "tasks.updated", taskId: id, userId, changes }, [
              taskChangeNotice(userId, id, "updated"),
            ])
            return task
          }),
        )
      })

      const remove = Effect.fn("TaskService.remove")(function* (userId: string, id: string) {
        yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId, deferTaskNotify)
            const removed = yield* repo.remove(userId, id)
            if (!removed) return yield* new TaskNotFound({ taskId: id })
            yield* outbox.append({ eventType: "tasks.deleted", taskId: id, userId }, [
              taskChangeNotice(userId, id, "deleted"),
            ])
          }),
        )
      })

      const complete = Effect.fn("TaskService.complete")(function* (userId: string, id: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId, deferTaskNotify)
            const current = yield* load(userId, id)
            if (current.completed) return { task: current, next: null }
            const completedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
            const task = yield* repo.update(userId, id, { completed: true, completedAt })
            const next =
              current.recurrence === null
                ? null
                : yield* withCalendarBudget((budget) => rollOver(userId, current, completedAt, budget))
            yield* outbox.append(
              {
                eventType: "tasks.completed",
                taskId: id,
                userId,
                completedAt,
                nextTaskId: next?.id ?? null,
              },
              [taskChangeNotice(userId, id, "completed")],
            )
            return { task, next }
          }),
        )
      })

      /**
       * The next occurrence of a recurring task: due at the rule's next date in the user's zone (from the due date,
       * or from the completion with `repeatFrom: completion`), same title, description, priority, tags, rule
       * (COUNT counted down) and reminder offset. None when the rule has run out.
       */
      const rollOver = (userId: string, current: Task, completedAt: string, budget: WorkBudget) =>
        Effect.gen(function* () {
          const { timezone } = yield* settings.get(userId)
          const next = yield* Effect.try({
            try: () =>
              nextOccurrence({
                rule: current.recurrence!,
                dueDate: current.dueDate,
                completedAt,
                timezone,
                repeatFrom: current.repeatFrom,
                budget,
              }),
            catch: (e) =>
              new InvalidTaskField({
                field: "recurrence",
                message: e instanceof Error ? e.message : String(e),
              }),
          })
          if (next === null) return null
          // Everything the user set carries over; the dates and the rule move on; the priority is inherited, not set.
          return yield* insertWithEvent(userId, {
            ...TASK_DEFAULTS,
            ...userFieldsOf(current),
            dueDate: next.dueDate,
            remindAt: shiftReminder(current.dueDate, current.remindAt, next.dueDate, timezone),
            recurrence: next.rule,
          })
        })

      const incomplete = Effect.fn("TaskService.incomplete")(function* (userId: string, id: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId, deferTaskNotify)
            const current = yield* load(userId, id)
            if (!current.completed) return current
            const task = yield* repo.update(userId, id, { completed: false, completedAt: null })
            yield* outbox.append({ eventType: "tasks.incomplete", taskId: id, userId }, [
              taskChangeNotice(userId, id, "incomplete"),
            ])
            return task
          }),
        )
      })

      const tags = (userId: string) => repo.tags(userId)

      const parseQuick = Effect.fn("TaskService.parseQuick")(function* (userId: string, text: string) {
        const { timezone } = yield* settings.get(userId)
        const now = yield* Clock.currentTimeMillis
        const parsed = yield* withCalendarBudget((budget) =>
          Effect.sync(() => parseQuickAdd(text, { now, timezone, budget })),
        )
        if (Result.isFailure(parsed))
          return yield* new InvalidTaskField({ field: "body.text", message: parsed.failure })
        return parsed.success
      })

      const quickAdd = Effect.fn("TaskService.quickAdd")(function* (userId: string, text: string) {
        const parsed = yield* parseQuick(userId, text)
        const task = yield* create(userId, {
          title: parsed.title,
          dueDate: parsed.dueDate,
          recurrence: parsed.recurrence,
          repeatFrom: parsed.repeatFrom,
          tags: parsed.tags,
          estimateMinutes: parsed.estimateMinutes,
          ...(parsed.priority !== null ? { priority: parsed.priority } : {}),
        })
        return { task, parsed }
      })

      return TaskService.of({
        create,
        get,
        list,
        update,
        remove,
        complete,
        incomplete,
        tags,
        parseQuick,
        quickAdd,
      })
    }),
  ).pipe(Layer.provide([TaskRepo.layer, Outbox.layer, UserSettings.layer]))
}
