import { batch, computed, signal } from "@preact/signals"
import type { Task } from "@todo/contracts"
import { call, client, describeProblem } from "../api.ts"
import {
  activeFilterCount as countFilters,
  comparator,
  dayOf,
  defaultFilters,
  defaultsOf,
  type Filters,
  isByDay,
  type ListView,
  matcher,
  serverQuery,
  windowOf,
} from "../filters.ts"
import { now, today } from "./clock.ts"
import { timeZone } from "./settings.ts"

/**
 * The task list on screen: which view (Tasks, Today, Upcoming) with which filters, the loaded pages, and tasks known
 * from elsewhere (a suggestion's, a reminder's).
 */

export const view = signal<ListView>("tasks")
export const filters = signal<Filters>(defaultFilters)
export const tasks = signal<ReadonlyArray<Task>>([])
export const nextCursor = signal<string | null>(null)
export const listState = signal<"idle" | "loading" | "loading-more">("idle")
export const listError = signal<string | null>(null)
export const selectedId = signal<string | null>(null)

export const tagCounts = signal<ReadonlyArray<{ tag: string; count: number }>>([])

/** The due dates the current view admits, in the user's zone as of today. */
export const currentWindow = computed(() => windowOf(view.value, filters.value, timeZone.value, today.value))

/**
 * The loaded tasks in the order the server would give them (in a by-day view, day by day first). Re-sorted only
 * when the tasks, the sort or the day change, not on every filter keystroke.
 */
const orderKey = computed(() => {
  const v = view.value
  return `${v}:${filters.value.sort}:${filters.value.order}${isByDay(v) ? `:${today.value}:${timeZone.value}` : ""}`
})
export const sortedTasks = computed(() => {
  void orderKey.value
  const list = tasks.value.slice()
  const byFilter = comparator(filters.peek())
  if (!isByDay(view.peek())) return list.sort(byFilter)
  const tz = timeZone.peek()
  const day = today.peek()
  const days = new Map(list.map((t) => [t, dayOf(t, tz, day)]))
  return list.sort((a, b) => {
    const x = days.get(a)!
    const y = days.get(b)!
    return x < y ? -1 : x > y ? 1 : byFilter(a, b)
  })
})

/** Whether a loaded task passes the current view's filters. */
export const currentMatcher = computed(() =>
  matcher(filters.value, currentWindow.value, now.value, view.value),
)

/** The tasks on screen, in the order they show: the loaded ones, filtered and sorted as the server would. */
export const visibleTasks = computed(() => sortedTasks.value.filter(currentMatcher.value))

export const activeFilterCount = computed(() => countFilters(filters.value, view.value))

const currentQuery = () => serverQuery(filters.value, currentWindow.value, view.value)

let listSeq = 0

export const reloadTasks = async () => {
  const seq = ++listSeq
  listState.value = "loading"
  const res = await call(() => client.api.tasks.list({ query: currentQuery() }))
  if (seq !== listSeq) return
  batch(() => {
    listState.value = "idle"
    if (res.status === 200) {
      tasks.value = res.body.items
      nextCursor.value = res.body.nextCursor
      listError.value = null
    } else {
      listError.value = describeProblem(res)
    }
  })
}

export const loadMore = async () => {
  const cursor = nextCursor.value
  if (!cursor || listState.value !== "idle") return
  const seq = listSeq
  listState.value = "loading-more"
  const res = await call(() => client.api.tasks.list({ query: { ...currentQuery(), cursor } }))
  if (seq !== listSeq) return
  batch(() => {
    listState.value = "idle"
    if (res.status === 200) {
      const seen = new Set(tasks.value.map((t) => t.id))
      tasks.value = [...tasks.value, ...res.body.items.filter((t) => !seen.has(t.id))]
      nextCursor.value = res.body.nextCursor
      listError.value = null
    } else if (res.status === 400) {
      // The cursor no longer fits (filters changed under it): start over.
      void reloadTasks()
    } else {
      listError.value = describeProblem(res)
    }
  })
}

let reloadTimer: ReturnType<typeof setTimeout> | undefined
/** Changes the filters: the loaded list follows at once, the server is asked after a short pause. */
export const setFilters = (patch: Partial<Filters>, delayMs = 0) => {
  filters.value = { ...filters.value, ...patch }
  clearTimeout(reloadTimer)
  reloadTimer = setTimeout(() => void reloadTasks(), delayMs)
}

/** Shows a list view with the given filters (a navigation, or an address opened as is); `load` asks the server. */
export const showView = (v: ListView, f: Filters, load = true) => {
  batch(() => {
    view.value = v
    filters.value = f
    selectedId.value = null
  })
  clearTimeout(reloadTimer)
  if (load) void reloadTasks()
}

/** Back to the view's own filters, keeping the order the user picked. */
export const clearFilters = () => {
  const f = filters.value
  setFilters({ ...defaultsOf(view.value), sort: f.sort, order: f.order })
}

/** Whether a task would show in the current view (say, one just added). */
export const inCurrentView = (t: Task) => currentMatcher.peek()(t)

/** Tasks that are not in the list but that a suggestion or notification mentions. */
export const otherTasks = signal<ReadonlyMap<string, Task>>(new Map())

export const upsertTask = (t: Task) => {
  const list = tasks.value
  const i = list.findIndex((x) => x.id === t.id)
  if (i >= 0) {
    const old = list[i]!
    if (old.version > t.version) return
    const copy = list.slice()
    copy[i] = t
    tasks.value = copy
  } else {
    tasks.value = [t, ...list]
  }
  if (otherTasks.value.has(t.id)) {
    const m = new Map(otherTasks.value)
    m.set(t.id, t)
    otherTasks.value = m
  }
}

export const removeTask = (id: string) => {
  batch(() => {
    tasks.value = tasks.value.filter((t) => t.id !== id)
    if (selectedId.value === id) selectedId.value = null
  })
}

export const findTask = (id: string): Task | undefined =>
  tasks.value.find((t) => t.id === id) ?? otherTasks.value.get(id)

const fetching = new Set<string>()
/** Makes sure a task is known (for a suggestion's or a reminder's title), fetching it once if needed. */
export const ensureTask = (id: string) => {
  if (findTask(id) || fetching.has(id)) return
  fetching.add(id)
  void call(() => client.api.tasks.get({ params: { id } })).then((res) => {
    fetching.delete(id)
    if (res.status === 200) {
      const m = new Map(otherTasks.value)
      m.set(id, res.body)
      otherTasks.value = m
    }
  })
}

/** Re-reads one task after a change event; gone means deleted. */
export const refreshTask = async (id: string) => {
  const res = await call(() => client.api.tasks.get({ params: { id } }))
  // A task new to us joins the list; the filters decide whether it shows.
  if (res.status === 200) upsertTask(res.body)
  else if (res.status === 404) removeTask(id)
}

export const reloadTags = async () => {
  const res = await call(() => client.api.tags())
  if (res.status === 200) tagCounts.value = res.body.items
}

/** Forget the signed-in user's tasks. */
export const clearTasks = () => {
  batch(() => {
    filters.value = defaultsOf(view.value)
    tasks.value = []
    nextCursor.value = null
    listError.value = null
    selectedId.value = null
    tagCounts.value = []
    otherTasks.value = new Map()
  })
}
