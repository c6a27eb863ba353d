import { effect, signal, untracked } from "@preact/signals"
import { filtersFromSearch, filtersToSearch, isListView, type ListView } from "./filters.ts"
import { today } from "./stores/clock.ts"
import { timeZone } from "./stores/settings.ts"
import { filters, reloadTasks, showView, view } from "./stores/tasks.ts"
import { replaceSearch, route, search } from "./ui.ts"

/**
 * Keeps the address and the list in step: opening `/today?tag=work` (a bookmark, a shared link, Back) shows that
 * view with those filters; changing a filter rewrites the query string in place. Each view remembers its last
 * query string for the header's links. Returns a function that stops it (sign-out).
 */
export const lastSearch = signal<Partial<Record<ListView, string>>>({})

export const startListRoute = (): (() => void) => {
  let first = true
  // The address → the list.
  const stopIn = effect(() => {
    const r = route.value
    const s = search.value
    if (!isListView(r)) return
    untracked(() => {
      const wanted = filtersFromSearch(s, r)
      const same = view.value === r && filtersToSearch(filters.value, r) === filtersToSearch(wanted, r)
      // The first time, the sign-in's refresh loads the list.
      if (!same) showView(r, wanted, !first)
    })
  })
  first = false
  // The list → the address.
  const stopOut = effect(() => {
    const v = view.value
    const query = filtersToSearch(filters.value, v)
    untracked(() => {
      if (lastSearch.value[v] !== query) lastSearch.value = { ...lastSearch.value, [v]: query }
      if (route.value === v) replaceSearch(query)
    })
  })
  // A new day, or another zone in the settings, moves the dated views' windows (and a Tasks view's due range).
  let lastKey: string | undefined
  const stopDay = effect(() => {
    const key = `${today.value}|${timeZone.value}`
    untracked(() => {
      const f = filters.value
      const dated = view.value !== "tasks" || f.dueFrom !== "" || f.dueTo !== ""
      if (lastKey !== undefined && key !== lastKey && dated) void reloadTasks()
    })
    lastKey = key
  })
  return () => {
    lastSearch.value = {}
    stopIn()
    stopOut()
    stopDay()
  }
}
