import { batch, computed, signal } from "@preact/signals"
import type {
  CompleteResult as CompleteResultSchema,
  Notification,
  Priority,
  Settings,
  Suggestion,
  Task,
} from "@todo/contracts"
import { call, client, describeProblem, isMissingRoute } from "./api.ts"
import { deviceTimeZone, startOfDay } from "./time.ts"

/** Application state as signals: what the server told us, what the user is looking at, and what is in flight. */

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
/** Changes once a minute so that "overdue" follows the clock. */
export const now = signal(Date.now())
export const selectedId = signal<string | null>(null)

export const settings = signal<Settings | null>(null)
export const settingsAvailable = signal(true)
export const timeZone = computed(() => settings.value?.timezone ?? deviceTimeZone())

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

// ---------------------------------------------------------------------------------------------------------------
// Toasts

export interface Toast {
  readonly id: number
  readonly message: string
  readonly tone: "info" | "error" | "success"
  readonly action?: { readonly label: string; readonly run: () => void }
}
export const toasts = signal<ReadonlyArray<Toast>>([])
let toastId = 0
export const dismissToast = (id: number) => {
  toasts.value = toasts.value.filter((t) => t.id !== id)
}
export const showToast = (t: Omit<Toast, "id">, timeoutMs = 6000) => {
  const id = ++toastId
  toasts.value = [...toasts.value.slice(-3), { ...t, id }]
  setTimeout(() => dismissToast(id), timeoutMs)
  return id
}

// ---------------------------------------------------------------------------------------------------------------
// Completing, with undo

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

// ---------------------------------------------------------------------------------------------------------------
// Suggestions

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

// ---------------------------------------------------------------------------------------------------------------
// Notifications

export const notifications = signal<ReadonlyArray<Notification>>([])
export const notificationsAvailable = signal(true)
export const unreadCount = computed(() => notifications.value.filter((n) => n.readAt === null).length)
const announced = new Set<string>()
let notificationsPrimed = false

export const reloadNotifications = async () => {
  const res = await call(() => client.api.notifications.list({ query: { limit: "50" } }))
  if (res.status === 200) {
    batch(() => {
      notifications.value = res.body.items
      notificationsAvailable.value = true
    })
    // Announce reminders that arrived while we watch (not the backlog found at sign-in).
    for (const n of res.body.items) {
      if (n.taskId) ensureTask(n.taskId)
      if (notificationsPrimed && n.readAt === null && !announced.has(n.id)) {
        showToast({ tone: "info", message: `Reminder: ${n.title}` }, 8000)
      }
      announced.add(n.id)
    }
    notificationsPrimed = true
  } else if (isMissingRoute(res)) {
    notificationsAvailable.value = false
  }
}

export const markNotificationRead = async (n: Notification) => {
  const res = await call(() => client.api.notifications.read({ params: { id: n.id } }))
  if (res.status === 200) notifications.value = notifications.value.map((x) => (x.id === n.id ? res.body : x))
  else showToast({ tone: "error", message: `Could not mark as read: ${describeProblem(res)}` })
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

export const reloadSettings = async () => {
  const res = await call(() => client.api.me.getSettings())
  if (res.status === 200) {
    settings.value = res.body
    settingsAvailable.value = true
  } else if (isMissingRoute(res)) settingsAvailable.value = false
}

/** Forget everything that belonged to the signed-in user. */
export const clearState = () => {
  batch(() => {
    filters.value = defaultFilters
    tasks.value = []
    nextCursor.value = null
    listError.value = null
    selectedId.value = null
    settings.value = null
    tagCounts.value = []
    otherTasks.value = new Map()
    suggestions.value = []
    suggestionsLoaded.value = false
    notifications.value = []
    toasts.value = []
  })
  announced.clear()
  notificationsPrimed = false
}

export const refreshAll = () => {
  void reloadSettings()
  void reloadTasks()
  void reloadSuggestions()
  void reloadNotifications()
  void reloadTags()
}
