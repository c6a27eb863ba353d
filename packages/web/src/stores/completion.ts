import { batch } from "@preact/signals"
import type { CompleteResult as CompleteResultSchema, Task } from "@todo/contracts"
import { call, client, describeProblem } from "../api.ts"
import { refreshTask, removeTask, upsertTask } from "./tasks.ts"
import { dismissToast, showToast } from "./toasts.ts"

/** Completing and reopening a task at once on screen, with an Undo that also removes a recurring task's next one. */

type CompleteResult = typeof CompleteResultSchema.Type

const undoComplete = async (result: CompleteResult, toast: number) => {
  dismissToast(toast)
  const res = await call(() => client.api.tasks.incomplete({ params: { id: result.task.id } }))
  if (res.status !== 200) {
    showToast({ tone: "error", message: `Could not undo: ${describeProblem(res)}` })
    return
  }
  upsertTask(res.body)
  const next = result.next
  if (next) {
    removeTask(next.id)
    const del = await call(() => client.api.tasks.remove({ params: { id: next.id } }))
    if (del.status !== 204 && del.status !== 404) {
      showToast({
        tone: "error",
        message: `The next occurrence could not be removed: ${describeProblem(del)}`,
      })
      void refreshTask(next.id)
    }
  }
  showToast({ tone: "info", message: `Restored "${res.body.title}"` }, 3000)
}

export const completeTask = async (task: Task) => {
  if (task.completed) return reopenTask(task)
  upsertTask({ ...task, completed: true, completedAt: new Date().toISOString() })
  const res = await call(() => client.api.tasks.complete({ params: { id: task.id } }))
  if (res.status !== 200) {
    upsertTask(task)
    showToast({ tone: "error", message: `Could not complete "${task.title}": ${describeProblem(res)}` })
    return
  }
  const result = res.body
  batch(() => {
    upsertTask(result.task)
    if (result.next) upsertTask(result.next)
  })
  const id: number = showToast(
    {
      tone: "success",
      message: result.next ? `Completed "${task.title}". Next one created.` : `Completed "${task.title}"`,
      action: { label: "Undo", run: () => void undoComplete(result, id) },
    },
    10_000,
  )
}

export const reopenTask = async (task: Task) => {
  upsertTask({ ...task, completed: false, completedAt: null })
  const res = await call(() => client.api.tasks.incomplete({ params: { id: task.id } }))
  if (res.status === 200) upsertTask(res.body)
  else {
    upsertTask(task)
    showToast({ tone: "error", message: `Could not reopen "${task.title}": ${describeProblem(res)}` })
  }
}
