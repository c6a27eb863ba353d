import { batch, computed, signal } from "@preact/signals"
import type { Priority, Task } from "@todo/contracts"
import { call, client, describeProblem } from "../api.ts"
import { startOfDay } from "../time.ts"
import { now } from "./clock.ts"
import { timeZone } from "./settings.ts"

/** The task list: filters, the loaded pages, and tasks known from elsewhere (a suggestion's, a reminder's). */

// ---------------------------------------------------------------------------------------------------------------
// Filters and the task list

export type SortKey = "createdAt" | "dueDate" | "priority" | "updatedAt" | "title"
export interface Filters {
  readonly q: string
  readonly status: "open" | "completed" | "all"
  readonly priority: ReadonlyArray<Priority>
  readonly tags: ReadonlyArray<string>
  /** Calendar days `YYYY-MM-DD`, both inclusive, in the user's zone. */
  readonly dueFrom: string
  readonly dueTo: string
  readonly overdue: boolean
  readonly sort: SortKey
  readonly order: "asc" | "desc"
}

export const DEFAULT_ORDER: Record<SortKey, "asc" | "desc"> = {
  createdAt: "desc",
  dueDate: "asc",
  priority: "desc",
  updatedAt: "desc",
  title: "asc",
}

export const defaultFilters: Filters = {
  q: "",
  status: "open",
  priority: [],
  tags: [],
  dueFrom: "",
  dueTo: "",
  overdue: false,
  sort: "createdAt",
  order: "desc",
}

export const PAGE_SIZE = 100
export const PRIORITIES: ReadonlyArray<Priority> = ["urgent", "high", "medium", "low"]
const PRIORITY_RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2, urgent: 3 }

export const filters = signal<Filters>(defaultFilters)
export const tasks = signal<ReadonlyArray<Task>>([])
export const nextCursor = signal<string | null>(null)
export const listState = signal<"idle" | "loading" | "loading-more">("idle")
export const listError = signal<string | null>(null)
export const selectedId = signal<string | null>(null)

export const tagCounts = signal<ReadonlyArray<{ tag: string; count: number }>>([])

const wordsOf = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)

const searchWords = new WeakMap<Task, ReadonlyArray<string>>()
const wordsOfTask = (t: Task) => {
  let words = searchWords.get(t)
  if (!words) {
    words = wordsOf(`${t.title} ${t.tags.join(" ")} ${t.description ?? ""}`)
    searchWords.set(t, words)
  }
  return words
}

/**
 * The server's filter, run on the tasks already loaded: the list answers a keystroke at once and the server's
 * answer (which may hold more) replaces it moments later. Search matches like the server's: every word is a prefix
 * of a word in the title, tags or description.
 */
export const matcher = (f: Filters, tz: string, nowMs: number) => {
  const words = wordsOf(f.q).slice(0, 16)
  const from = f.dueFrom ? startOfDay(f.dueFrom, tz) : null
  const to = f.dueTo ? startOfDay(f.dueTo, tz, 1) : null
  const fromMs = from ? Date.parse(from) : null
  const toMs = to ? Date.parse(to) : null
  const priorities = new Set(f.priority)
  const tags = new Set(f.tags)
  return (t: Task) => {
    if (f.status === "open" && t.completed) return false
    if (f.status === "completed" && !t.completed) return false
    if (priorities.size > 0 && !priorities.has(t.priority)) return false
    if (tags.size > 0 && !t.tags.some((tag) => tags.has(tag))) return false
    const due = t.dueDate ? Date.parse(t.dueDate) : null
    if (fromMs !== null && (due === null || due < fromMs)) return false
    if (toMs !== null && (due === null || due >= toMs)) return false
    if (f.overdue && (t.completed || due === null || due >= nowMs)) return false
    if (words.length > 0) {
      const have = wordsOfTask(t)
      for (const w of words) if (!have.some((h) => h.startsWith(w))) return false
    }
    return true
  }
}

export const comparator = (f: Filters) => {
  const dir = f.order === "asc" ? 1 : -1
  const byId = (a: Task, b: Task) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * dir
  switch (f.sort) {
    case "dueDate":
      return (a: Task, b: Task) => {
        // Tasks without a due date come last whichever way you sort (as the server does).
        if (a.dueDate === b.dueDate) return byId(a, b)
        if (a.dueDate === null) return 1
        if (b.dueDate === null) return -1
        return (Date.parse(a.dueDate) - Date.parse(b.dueDate)) * dir || byId(a, b)
      }
    case "priority":
      return (a: Task, b: Task) => (PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]) * dir || byId(a, b)
    case "title":
      return (a: Task, b: Task) => {
        const x = a.title.toLowerCase()
        const y = b.title.toLowerCase()
        return (x < y ? -1 : x > y ? 1 : 0) * dir || byId(a, b)
      }
    case "updatedAt":
      return (a: Task, b: Task) => (Date.parse(a.updatedAt) - Date.parse(b.updatedAt)) * dir || byId(a, b)
    default:
      return (a: Task, b: Task) => (Date.parse(a.createdAt) - Date.parse(b.createdAt)) * dir || byId(a, b)
  }
}

/** The loaded tasks in the order the server would give them. Re-sorted only when the tasks or the sort change. */
const sortKey = computed(() => `${filters.value.sort}:${filters.value.order}`)
export const sortedTasks = computed(() => {
  void sortKey.value
  return tasks.value.slice().sort(comparator(filters.peek()))
})

/** Whether a loaded task passes the current filters. */
export const currentMatcher = computed(() => matcher(filters.value, timeZone.value, now.value))

/** The tasks on screen: the loaded ones, filtered and sorted as the server would. */
export const visibleTasks = computed(() => sortedTasks.value.filter(currentMatcher.value))

export const activeFilterCount = computed(() => {
  const f = filters.value
  return (
    (f.status !== "open" ? 1 : 0) +
    f.priority.length +
    f.tags.length +
    (f.dueFrom ? 1 : 0) +
    (f.dueTo ? 1 : 0) +
    (f.overdue ? 1 : 0)
  )
})

const serverQuery = (f: Filters, tz: string) => {
  const q = f.q.trim()
  const dueAfter = f.dueFrom ? startOfDay(f.dueFrom, tz) : null
  const dueBefore = f.dueTo ? startOfDay(f.dueTo, tz, 1) : null
  return {
    ...(q && wordsOf(q).length > 0 ? { q: q.slice(0, 200) } : {}),
    status: f.status,
    ...(f.priority.length > 0 ? { priority: [...f.priority] } : {}),
    ...(f.tags.length > 0 ? { tag: [...f.tags] } : {}),
    ...(dueAfter ? { dueAfter } : {}),
    ...(dueBefore ? { dueBefore } : {}),
    ...(f.overdue ? { overdue: "true" as const } : {}),
    sort: f.sort,
    order: f.order,
    limit: String(PAGE_SIZE),
  }
}

let listSeq = 0

export const reloadTasks = async () => {
  const seq = ++listSeq
  listState.value = "loading"
  const res = await call(() => client.api.tasks.list({ query: serverQuery(filters.value, timeZone.value) }))
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
  const res = await call(() =>
    client.api.tasks.list({ query: { ...serverQuery(filters.value, timeZone.value), cursor } }),
  )
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
    filters.value = defaultFilters
    tasks.value = []
    nextCursor.value = null
    listError.value = null
    selectedId.value = null
    tagCounts.value = []
    otherTasks.value = new Map()
  })
}
