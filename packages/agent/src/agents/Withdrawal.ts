import { HandlerRegistry } from "@todo/messaging"
import { SuggestionRepo } from "@todo/core"
import { Effect, Layer } from "effect"

/**
 * Completing or deleting a task withdraws its pending suggestions: there is nothing left to suggest about it.
 * (A deleted task's suggestions also go with the row; this keeps the rule explicit and covers a suggestion
 * inserted between the delete and the event.)
 */
export const WithdrawalLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const registry = yield* HandlerRegistry
    const suggestions = yield* SuggestionRepo
    const withdraw = (taskId: string, why: string) =>
      suggestions
        .withdrawPending(taskId)
        .pipe(
          Effect.tap((n) =>
            n > 0 ? Effect.logDebug(`withdrew ${n} pending suggestion(s) of ${taskId}: ${why}`) : Effect.void,
          ),
        )
    registry.register("tasks.completed", "Withdrawal.onTaskCompleted", (e) => withdraw(e.taskId, "completed"))
    registry.register("tasks.deleted", "Withdrawal.onTaskDeleted", (e) => withdraw(e.taskId, "deleted"))
  }),
)
