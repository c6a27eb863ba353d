import { CurrentActor, Outbox } from "@todo/messaging"
import type { ListSuggestionsQuery, Suggestion, Task, UpdateTask } from "@todo/contracts"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import {
  type InvalidCursor,
  type InvalidTaskField,
  SuggestionNotFound,
  SuggestionNotPending,
  type TaskNotFound,
} from "../Errors.ts"
import { TaskService } from "../tasks/TaskService.ts"
import { SuggestionRepo } from "./SuggestionRepo.ts"

type AcceptError = SqlError | SuggestionNotFound | SuggestionNotPending | TaskNotFound | InvalidTaskField

/** The user's side of suggestions: list, accept (applies the change like a PATCH would) and dismiss. */
export class SuggestionService extends Context.Service<
  SuggestionService,
  {
    readonly list: (
      userId: string,
      query: ListSuggestionsQuery,
    ) => Effect.Effect<
      { items: ReadonlyArray<Suggestion>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly accept: (
      userId: string,
      id: string,
    ) => Effect.Effect<{ suggestion: Suggestion; task: Task }, AcceptError>
    readonly dismiss: (
      userId: string,
      id: string,
    ) => Effect.Effect<Suggestion, SqlError | SuggestionNotFound | SuggestionNotPending>
  }
>()("@todo/core/SuggestionService") {
  static readonly layer = Layer.effect(
    SuggestionService,
    Effect.gen(function* () {
      const sql = yield* SqlClient
      const repo = yield* SuggestionRepo
      const tasks = yield* TaskService
      const outbox = yield* Outbox

      const pending = (userId: string, id: string) =>
        Effect.gen(function* () {
          const found = yield* repo.findForUpdate(userId, id)
          if (Option.isNone(found)) return yield* new SuggestionNotFound({ suggestionId: id })
          if (found.value.status !== "pending") {
            return yield* new SuggestionNotPending({ suggestionId: id, status: found.value.status })
          }
          return found.value
        })

      const accept = Effect.fn("SuggestionService.accept")(function* (userId: string, id: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId)
            const suggestion = yield* pending(userId, id)
            const patch: UpdateTask = { ...suggestion.proposedChange }
            // The task update writes tasks.updated with actor "suggestion": the activity log says who moved it.
            const task = yield* tasks.update(userId, suggestion.taskId, patch).pipe(
              Effect.provideService(CurrentActor, "suggestion"),
              // No version is expected, so none can conflict: accepting never answers 412.
              Effect.catchTag("VersionConflict", (conflict) => Effect.die(conflict)),
            )
            const accepted = yield* repo.setStatus(id, "accepted")
            return { suggestion: accepted, task }
          }),
        )
      })

      const dismiss = Effect.fn("SuggestionService.dismiss")(function* (userId: string, id: string) {
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* outbox.lockUser(userId)
            yield* pending(userId, id)
            return yield* repo.setStatus(id, "dismissed")
          }),
        )
      })

      return SuggestionService.of({ list: repo.list, accept, dismiss })
    }),
  ).pipe(Layer.provide([SuggestionRepo.layer, TaskService.layer, Outbox.layer]))
}
