import { batch, signal } from "@preact/signals"
import type { QuickAddParse, Task } from "@todo/contracts"
import type { ListView } from "./filters.ts"

/** Which screen is showing (its path), its query string, and the dialogs and panels over it. */
export type Route = ListView | "inbox" | "reminders" | "settings"
const paths: Record<Route, string> = {
  tasks: "/",
  today: "/today",
  upcoming: "/upcoming",
  inbox: "/inbox",
  reminders: "/reminders",
  settings: "/settings",
}

const routeOf = (pathname: string): Route =>
  (Object.entries(paths).find(([, p]) => p === pathname)?.[0] as Route | undefined) ?? "tasks"

export const route = signal<Route>(routeOf(location.pathname))
/** The query string of the address (`""` or `?…`): a list view's filters. */
export const search = signal(location.search)

window.addEventListener("popstate", () => {
  batch(() => {
    route.value = routeOf(location.pathname)
    search.value = location.search
  })
})

/** Goes to a screen (a new history entry), with a query string for a list view. */
export const navigate = (to: Route, query = "") => {
  if (route.value === to && location.search === query) return
  history.pushState(null, "", `${paths[to]}${query}`)
  batch(() => {
    route.value = to
    search.value = query
  })
}

/** Rewrites the current address's query string in place (filters as the user changes them: no history entry). */
export const replaceSearch = (query: string) => {
  if (location.search === query) return
  history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`)
  search.value = query
}

export const hrefOf = (to: Route, query = "") => `${paths[to]}${query}`

export type EditorTarget =
  | { readonly mode: "create"; readonly draft?: Partial<QuickAddParse> & { readonly title?: string } }
  | { readonly mode: "edit"; readonly task: Task }

export const editorTarget = signal<EditorTarget | null>(null)
export const chatOpen = signal(false)
export const helpOpen = signal(false)
