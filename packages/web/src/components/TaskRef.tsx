import { useEffect } from "preact/hooks"
import type { Task } from "@todo/contracts"
import { ensureTask, findTask, otherTasks, tasks } from "../stores/tasks.ts"
import { editorTarget } from "../ui.ts"

/** A card about a task (a suggestion, a reminder): the task it names, and a way to open it. */

/**
 * The task a card is about, fetched once when the list on screen does not hold it: another view or a filter may
 * have replaced the loaded tasks since the card arrived.
 */
export const useTask = (id: string | null) => {
  // Reading both subscribes the card to them, so it updates when the task arrives or changes.
  void tasks.value
  void otherTasks.value
  const task = id ? findTask(id) : undefined
  const missing = id !== null && task === undefined
  useEffect(() => {
    if (missing) ensureTask(id)
  }, [id, missing])
  return task
}

/** Opens the task in the editor. */
export const OpenTaskButton = ({ task }: { task: Task }) => (
  <button type="button" class="link" onClick={() => (editorTarget.value = { mode: "edit", task })}>
    Open task
  </button>
)
