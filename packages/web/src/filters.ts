import type { ListTasksQuery, Priority, Task } from "@todo/contracts"
import { addDays, localDay, startOfDay } from "./time.ts"

/**
 * What a task list shows, without I/O: the three list views, their filters and sort, the due-date window a view
 * stands for, the same filter and order the server applies (run on the tasks already loaded), and the filters as a
 * query string, so that a view can be bookmarked and shared.
 */

/** Today: overdue and due today. Upcoming: the seven days from today, by day. Tasks: every task, any filter. */
export type ListView = "tasks" | "today" | "upcoming"
export const LIST_VIEWS: ReadonlyArray<ListView> = ["today", "upcoming", "tasks"]
export const isListView = (s: string): s is ListView => (LIST_VIEWS as ReadonlyArray<string>).includes(s)
/** Whether the view shows its tasks under one heading per day. */
export const isByDay = (v: ListView) => v !== "tasks"
export const UPCOMING_DAYS = 7

export type SortKey = "createdAt" | "dueDate" | "priority" | "updatedAt" | "title"
export const SORT_KEYS: ReadonlyArray<SortKey> = ["createdAt", "dueDate", "priority", "updatedAt", "title"]
export type Status = "open" | "completed" | "all"
const STATUSES: ReadonlyArray<Status> = ["open", "completed", "all"]

export interface Filters {
  readonly q: string
  readonly status: Status
  readonly priority: ReadonlyArray<Priority>
  readonly tags: ReadonlyArray<string>
  /** Calendar days `YYYY-MM-DD`, both inclusive, in the user's zone (the Tasks view only). */
  readonly dueFrom: string
  readonly dueTo: string
  /** Only open tasks whose due date has passed (the Tasks view only). */
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

/** A view's filters before the user changes anything: the dated views list the soonest first. */
export const defaultsOf = (v: ListView): Filters =>
  v === "tasks" ? defaultFilters : { ...defaultFilters, sort: "dueDate", order: "asc" }

export const PRIORITIES: ReadonlyArray<Priority> = ["urgent", "high", "medium", "low"]
const PRIORITY_RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2, urgent: 3 }

// ---------------------------------------------------------------------------------------------------------------
// The due-date window of a view

/** Due dates a list admits, as ISO instants: `after` inclusive, `before` exclusive; null is open-ended. */
export interface DueWindow {
  readonly after: string | null
  readonly before: string | null
}

/** The window of a view in the user's zone on the given day: Today ends tonight, Upcoming spans seven days. */
export const windowOf = (v: ListView, f: Filters, tz: string, today: string): DueWindow => {
  if (v === "today") return { after: null, before: startOfDay(today, tz, 1) }
  if (v === "upcoming") return { after: startOfDay(today, tz), before: startOfDay(today, tz, UPCOMING_DAYS) }
  return {
    after: f.dueFrom ? startOfDay(f.dueFrom, tz) : null,
    before: f.dueTo ? startOfDay(f.dueTo, tz, 1) : null,
  }
}

/** Whether the view needs a due date at all (a task without one never shows in Today or Upcoming). */
const needsDue = (v: ListView) => v !== "tasks"

// ---------------------------------------------------------------------------------------------------------------
// The server's filter and order, on loaded tasks

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
export const matcher = (f: Filters, window: DueWindow, nowMs: number, v: ListView = "tasks") => {
  const words = wordsOf(f.q).slice(0, 16)
  const fromMs = window.after ? Date.parse(window.after) : null
  const toMs = window.before ? Date.parse(window.before) : null
  const priorities = new Set(f.priority)
  const tags = new Set(f.tags)
  const overdue = v === "tasks" && f.overdue
  return (t: Task) => {
    if (f.status === "open" && t.completed) return false
    if (f.status === "completed" && !t.completed) return false
    if (priorities.size > 0 && !priorities.has(t.priority)) return false
    if (tags.size > 0 && !t.tags.some((tag) => tags.has(tag))) return false
    const due = t.dueDate ? Date.parse(t.dueDate) : null
    if (due === null && needsDue(v)) return false
    if (fromMs !== null && (due === null || due < fromMs)) return false
    if (toMs !== null && (due === null || due >= toMs)) return false
    if (overdue && (t.completed || due === null || due >= nowMs)) return false
    if (words.length > 0) {
      const have = wordsOfTask(t)
      for (const w of words) if (!have.some((h) => h.startsWith(w))) return false
    }
    return true
  }
}

export const comparator = (f: Pick<Filters, "sort" | "order">) => {
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

export const PAGE_SIZE = 100

/** The list request for a view: its filters, its window and its order. */
export const serverQuery = (f: Filters, window: DueWindow, v: ListView) => {
  const q = f.q.trim()
  return {
    ...(q && wordsOf(q).length > 0 ? { q: q.slice(0, 200) } : {}),
    status: f.status,
    ...(f.priority.length > 0 ? { priority: [...f.priority] } : {}),
    ...(f.tags.length > 0 ? { tag: [...f.tags] } : {}),
    ...(window.after ? { dueAfter: window.after } : {}),
    ...(window.before ? { dueBefore: window.before } : {}),
    ...(v === "tasks" && f.overdue ? { overdue: "true" as const } : {}),
    sort: f.sort,
    order: f.order,
    limit: String(PAGE_SIZE),
  } satisfies { [K in keyof ListTasksQuery]?: unknown }
}

export const activeFilterCount = (f: Filters, v: ListView) =>
  (f.status !== "open" ? 1 : 0) +
  f.priority.length +
  f.tags.length +
  (v === "tasks" ? (f.dueFrom ? 1 : 0) + (f.dueTo ? 1 : 0) + (f.overdue ? 1 : 0) : 0)

// ---------------------------------------------------------------------------------------------------------------
// Days

/**
 * The day heading a task goes under in a by-day view: its due day in the zone, or `""` (sorts first) for a task due
 * before today, shown as "Overdue".
 */
export const OVERDUE = ""
export const dayOf = (t: Task, tz: string, today: string): string => {
  if (t.dueDate === null) return "~"
  const day = localDay(Date.parse(t.dueDate), tz)
  return day < today ? OVERDUE : day
}

/** The headings of a by-day view, in order: Overdue (when there is any) and Today; or the seven upcoming days. */
export const daysOf = (v: ListView, today: string): ReadonlyArray<string> =>
  v === "today"
    ? [OVERDUE, today]
    : v === "upcoming"
      ? Array.from({ length: UPCOMING_DAYS }, (_, i) => addDays(today, i))
      : []

// ---------------------------------------------------------------------------------------------------------------
// Filters in the URL

const DAY = /^\d{4}-\d{2}-\d{2}$/
const TAG = /^[^\s#,]{1,50}$/

/**
 * The filters as a query string (`?status=all&tag=home&sort=title`), holding only what differs from the view's
 * defaults, so a plain view has a plain address. The Tasks view alone keeps a due range and "overdue only".
 */
export const filtersToSearch = (f: Filters, v: ListView): string => {
  const d = defaultsOf(v)
  const p = new URLSearchParams()
  if (f.q.trim()) p.set("q", f.q)
  if (f.status !== d.status) p.set("status", f.status)
  for (const x of f.priority) p.append("priority", x)
  for (const x of f.tags) p.append("tag", x)
  if (v === "tasks") {
    if (f.dueFrom) p.set("from", f.dueFrom)
    if (f.dueTo) p.set("to", f.dueTo)
    if (f.overdue) p.set("overdue", "1")
  }
  if (f.sort !== d.sort || f.order !== d.order) {
    p.set("sort", f.sort)
    if (f.order !== DEFAULT_ORDER[f.sort]) p.set("order", f.order)
  }
  const s = p.toString()
  return s ? `?${s}` : ""
}

const oneOf = <A extends string>(xs: ReadonlyArray<A>, x: string | null): A | undefined =>
  x !== null && (xs as ReadonlyArray<string>).includes(x) ? (x as A) : undefined

/** Reads filters back from a query string; what it does not understand (a hand-edited address) is left out. */
export const filtersFromSearch = (search: string, v: ListView): Filters => {
  const d = defaultsOf(v)
  const p = new URLSearchParams(search)
  const sort = oneOf(SORT_KEYS, p.get("sort"))
  const order = oneOf(["asc", "desc"] as const, p.get("order"))
  const day = (k: string) => {
    const x = p.get(k) ?? ""
    return v === "tasks" && DAY.test(x) ? x : ""
  }
  return {
    q: (p.get("q") ?? "").slice(0, 200),
    status: oneOf(STATUSES, p.get("status")) ?? d.status,
    priority: [...new Set(p.getAll("priority").filter((x) => oneOf(PRIORITIES, x)))] as Array<Priority>,
    tags: [...new Set(p.getAll("tag").map((x) => x.trim().toLowerCase()))]
      .filter((x) => TAG.test(x))
      .slice(0, 20),
    dueFrom: day("from"),
    dueTo: day("to"),
    overdue: v === "tasks" && p.get("overdue") === "1",
    sort: sort ?? d.sort,
    order: order ?? (sort ? DEFAULT_ORDER[sort] : d.order),
  }
}
