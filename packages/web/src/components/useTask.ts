import { useEffect } from "preact/hooks"
import { ensureTask, findTask, otherTasks, tasks } from "../stores/tasks.ts"

/**
 * The task a card is about (a suggestion's, a reminder's), fetched once when the list on screen does not hold it:
 * another view or a filter may have replaced the loaded tasks since the card arrived.
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
