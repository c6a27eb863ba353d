import { batch } from "@preact/signals"
import { clearNotifications, reloadNotifications, scheduledMayHaveChanged } from "./notifications.ts"
import { clearSettings, reloadSettings } from "./settings.ts"
import { clearSuggestions, reloadSuggestions } from "./suggestions.ts"
import { clearTasks, reloadTags, reloadTasks } from "./tasks.ts"
import { clearToasts } from "./toasts.ts"

/** The signed-in user's state as a whole: loaded together, forgotten together. */

/** Forget everything that belonged to the signed-in user. */
export const clearState = () => {
  batch(() => {
    clearTasks()
    clearSettings()
    clearSuggestions()
    clearNotifications()
    clearToasts()
  })
}

export const refreshAll = () => {
  void reloadSettings()
  void reloadTasks()
  void reloadSuggestions()
  void reloadNotifications()
  void reloadTags()
  scheduledMayHaveChanged()
}
