import { useLayoutEffect } from "preact/hooks"
import { isListView } from "../filters.ts"
import { lastSearch } from "../listRoute.ts"
import { completeTask } from "../stores/completion.ts"
import { selectedId, visibleTasks } from "../stores/tasks.ts"
import { editorTarget, helpOpen, navigate, route } from "../ui.ts"

/** Single-key shortcuts, as the help dialog lists them. */
export const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["n", "New task (quick add)"],
  ["/", "Search"],
  ["j / k", "Next / previous task"],
  ["x", "Complete (or reopen) the selected task"],
  ["e or Enter", "Edit the selected task"],
  ["g then d / u / t", "Go to Today / Upcoming / all tasks"],
  ["g then i / r / s", "Go to suggestions / reminders / settings"],
  ["?", "Show this help"],
  ["Esc", "Leave a field, close a dialog"],
]

const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"])
/** Whether keys typed now go into a field (then single-key shortcuts stay off). */
const isTyping = (el: EventTarget | null) => {
  if (!(el instanceof HTMLElement)) return false
  if (el instanceof HTMLInputElement) return !NOT_TYPING.has(el.type)
  return el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT"
}

const focusTask = (id: string) => {
  selectedId.value = id
  requestAnimationFrame(() => {
    const row = document.getElementById(`task-${id}`)
    row?.focus()
    row?.scrollIntoView({ block: "nearest" })
  })
}

const moveSelection = (delta: number) => {
  const items = visibleTasks.value
  if (items.length === 0) return
  const i = items.findIndex((t) => t.id === selectedId.value)
  const next = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + delta))
  focusTask(items[next]!.id)
}

/** Focus now when the field is on screen; after the next render when a navigation has yet to draw it. */
const focusSoon = (id: string) => {
  const el = document.getElementById(id)
  if (el) el.focus()
  else requestAnimationFrame(() => document.getElementById(id)?.focus())
}

/** Stays on the list on screen; from another screen, goes to all tasks. */
const toAList = () => {
  if (!isListView(route.value)) navigate("tasks", lastSearch.value.tasks)
}

/** Single-key shortcuts, off while typing in a field or while a dialog is open. */
export const useShortcuts = () => {
  // A layout effect: the listener is in place by the time the shell is painted, so a key pressed as soon as the
  // screen shows is not lost.
  useLayoutEffect(() => {
    let pendingG = false
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return
      if (isTyping(e.target) || document.querySelector("dialog[open]")) return
      const key = e.key
      if (pendingG) {
        pendingG = false
        if (key === "i") navigate("inbox")
        else if (key === "d") navigate("today", lastSearch.value.today)
        else if (key === "u") navigate("upcoming", lastSearch.value.upcoming)
        else if (key === "t") navigate("tasks", lastSearch.value.tasks)
        else if (key === "r") navigate("reminders")
        else if (key === "s") navigate("settings")
        return
      }
      switch (key) {
        case "n":
          e.preventDefault()
          toAList()
          focusSoon("quick-add")
          break
        case "/":
          e.preventDefault()
          toAList()
          focusSoon("search")
          break
        case "j":
        case "k":
          if (!isListView(route.value)) return
          e.preventDefault()
          moveSelection(key === "j" ? 1 : -1)
          break
        case "x": {
          const task = visibleTasks.value.find((t) => t.id === selectedId.value)
          if (!task || !isListView(route.value)) return
          e.preventDefault()
          // Keep the cursor on the list: select the row that takes this one's place.
          const items = visibleTasks.value
          const i = items.indexOf(task)
          void completeTask(task).then(() => {
            const after = visibleTasks.value
            if (!after.some((t) => t.id === task.id)) {
              const replacement = after[Math.min(i, after.length - 1)]
              if (replacement) focusTask(replacement.id)
            }
          })
          break
        }
        case "e": {
          const task = visibleTasks.value.find((t) => t.id === selectedId.value)
          if (!task || !isListView(route.value)) return
          e.preventDefault()
          editorTarget.value = { mode: "edit", task }
          break
        }
        case "?":
          e.preventDefault()
          helpOpen.value = true
          break
        case "g":
          pendingG = true
          setTimeout(() => {
            pendingG = false
          }, 1500)
          break
      }
    }
    document.addEventListener("keydown", onKey)
    return () => document.removeEventListener("keydown", onKey)
  }, [])
}
