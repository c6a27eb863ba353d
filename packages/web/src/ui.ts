import { signal } from "@preact/signals"
import type { QuickAddParse, Task } from "@todo/contracts"

/** Which screen is showing, and the dialogs and panels over it. */
export type Route = "tasks" | "inbox" | "reminders" | "settings"
const paths: Record<Route, string> = {
  tasks: "/",
  inbox: "/inbox",
  reminders: "/reminders",
  settings: "/settings",
}

const routeOf = (pathname: string): Route =>
  (Object.entries(paths).find(([, p]) => p === pathname)?.[0] as Route | undefined) ?? "tasks"

export const route = signal<Route>(routeOf(location.pathname))
window.addEventListener("popstate", () => {
  route.value = routeOf(location.pathname)
})

export const navigate = (to: Route) => {
  if (route.value === to) return
  history.pushState(null, "", paths[to])
  route.value = to
}
export const hrefOf = (to: Route) => paths[to]

export type EditorTarget =
  | { readonly mode: "create"; readonly draft?: Partial<QuickAddParse> & { readonly title?: string } }
  | { readonly mode: "edit"; readonly task: Task }

export const editorTarget = signal<EditorTarget | null>(null)
export const chatOpen = signal(false)
export const helpOpen = signal(false)
