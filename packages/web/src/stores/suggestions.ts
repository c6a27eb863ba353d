import { batch, signal } from "@preact/signals"
import type { Suggestion } from "@todo/contracts"
import { call, client, describeProblem, isMissingRoute } from "../api.ts"
import { ensureTask, upsertTask } from "./tasks.ts"
import { showToast } from "./toasts.ts"

/** The agents' pending suggestions, accepted or dismissed by the user. */

export const suggestions = signal<ReadonlyArray<Suggestion>>([])
export const suggestionsAvailable = signal(true)
export const suggestionsLoaded = signal(false)

export const reloadSuggestions = async () => {
  const res = await call(() => client.api.suggestions.list({ query: { status: "pending", limit: "100" } }))
  if (res.status === 200) {
    batch(() => {
      suggestions.value = res.body.items
      suggestionsAvailable.value = true
      suggestionsLoaded.value = true
    })
    for (const s of res.body.items) ensureTask(s.taskId)
  } else if (isMissingRoute(res)) {
    suggestionsAvailable.value = false
  }
}

export const acceptSuggestion = async (s: Suggestion) => {
  const res = await call(() => client.api.suggestions.accept({ params: { id: s.id } }))
  if (res.status === 200) {
    batch(() => {
      suggestions.value = suggestions.value.filter((x) => x.id !== s.id)
      upsertTask(res.body.task)
    })
    showToast({ tone: "success", message: `Updated "${res.body.task.title}"` }, 4000)
  } else {
    if (res.status === 404 || res.status === 409) void reloadSuggestions()
    showToast({ tone: "error", message: `Could not accept: ${describeProblem(res)}` })
  }
}

export const dismissSuggestion = async (s: Suggestion) => {
  const res = await call(() => client.api.suggestions.dismiss({ params: { id: s.id } }))
  if (res.status === 200) suggestions.value = suggestions.value.filter((x) => x.id !== s.id)
  else {
    if (res.status === 404 || res.status === 409) void reloadSuggestions()
    showToast({ tone: "error", message: `Could not dismiss: ${describeProblem(res)}` })
  }
}

export const clearSuggestions = () => {
  batch(() => {
    suggestions.value = []
    suggestionsLoaded.value = false
  })
}
