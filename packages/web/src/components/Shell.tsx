import { signal } from "@preact/signals"
import type { ComponentChildren } from "preact"
import { useEffect } from "preact/hooks"
import { call, client, currentUser, saveSession } from "../api.ts"
import { isListView } from "../filters.ts"
import { lastSearch, startListRoute } from "../listRoute.ts"
import { startLive } from "../live.ts"
import { unreadCount } from "../stores/notifications.ts"
import { clearState } from "../stores/session.ts"
import { suggestions } from "../stores/suggestions.ts"
import { effectiveTheme, toggleTheme } from "../theme.ts"
import { chatOpen, editorTarget, helpOpen, hrefOf, navigate, type Route, route } from "../ui.ts"
import { Icon } from "./common.tsx"
import { Help } from "./Help.tsx"
import { InboxView } from "./Inbox.tsx"
import { RemindersView } from "./Reminders.tsx"
import { SettingsView } from "./Settings.tsx"
import { useShortcuts } from "./Shortcuts.ts"
import { LiveIndicator, StatusBanner } from "./Status.tsx"
import { TasksView, VIEW_TITLES } from "./Tasks.tsx"
import { Toasts } from "./Toasts.tsx"

// The editor and the chat panel are loaded on first use (and prefetched when the browser is idle), keeping them
// out of the initial JavaScript.
const editorModule = signal<typeof import("./Editor.tsx") | null>(null)
const chatModule = signal<typeof import("./Chat.tsx") | null>(null)
const loadEditor = () =>
  import("./Editor.tsx").then((m) => {
    editorModule.value = m
  })
const loadChat = () =>
  import("./Chat.tsx").then((m) => {
    chatModule.value = m
  })

const SCREEN_TITLES = { inbox: "Suggestions", reminders: "Reminders", settings: "Settings" } as const

/** A header link; a list view's link brings back the filters it had when the user left it. */
const NavLink = ({ to, children, count }: { to: Route; children: ComponentChildren; count?: number }) => {
  const query = isListView(to) ? (lastSearch.value[to] ?? "") : ""
  return (
    <a
      href={hrefOf(to, query)}
      aria-current={route.value === to ? "page" : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return
        e.preventDefault()
        navigate(to, query)
      }}
    >
      {children}
      {count ? (
        <>
          <span class="badge" aria-hidden="true">
            {count}
          </span>
          <span class="sr-only"> ({count} new)</span>
        </>
      ) : null}
    </a>
  )
}

export const signOut = async () => {
  await call(() => client.api.auth.signOut())
  saveSession(null)
  clearState()
  chatModule.value?.resetChat()
  chatOpen.value = false
  editorTarget.value = null
  navigate("tasks")
}

/** The signed-in app: header, the current screen, live updates, dialogs. */
export const Shell = () => {
  useEffect(() => {
    // The address decides the list before the first load asks the server for it.
    const stopRoute = startListRoute()
    const stopLive = startLive()
    const idle = window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 2000))
    idle(() => {
      void loadEditor()
      void loadChat()
    })
    return () => {
      stopLive()
      stopRoute()
    }
  }, [])
  useShortcuts()
  const title = isListView(route.value) ? VIEW_TITLES[route.value] : SCREEN_TITLES[route.value]
  useEffect(() => {
    document.title = `${title} · Todo`
  }, [title])

  const target = editorTarget.value
  useEffect(() => {
    if (target && !editorModule.value) void loadEditor()
  }, [target])
  useEffect(() => {
    if (chatOpen.value && !chatModule.value) void loadChat()
  }, [chatOpen.value])

  const Editor = editorModule.value?.Editor
  const Chat = chatModule.value?.ChatPanel
  const view = route.value
  const dark = effectiveTheme.value === "dark"
  const user = currentUser.value

  return (
    <div class={`app${chatOpen.value ? " with-chat" : ""}`}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a
          class="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault()
            navigate("tasks")
          }}
        >
          <span class="logo" aria-hidden="true">
            ✓
          </span>
          <span class="brand-name">Todo</span>
        </a>
        <nav aria-label="Main">
          <NavLink to="today">Today</NavLink>
          <NavLink to="upcoming">Upcoming</NavLink>
          <NavLink to="tasks">Tasks</NavLink>
          <NavLink to="inbox" count={suggestions.value.length}>
            Inbox
          </NavLink>
          <NavLink to="reminders" count={unreadCount.value}>
            Reminders
          </NavLink>
          <NavLink to="settings">Settings</NavLink>
        </nav>
        <div class="top-actions">
          <LiveIndicator />
          <button
            type="button"
            class="icon-button"
            aria-pressed={chatOpen.value}
            aria-label="Assistant"
            title="Assistant"
            onClick={() => (chatOpen.value = !chatOpen.value)}
          >
            <Icon name="chat" />
          </button>
          <button
            type="button"
            class="icon-button"
            aria-label={dark ? "Switch to light theme" : "Switch to dark theme"}
            title={dark ? "Switch to light theme" : "Switch to dark theme"}
            onClick={toggleTheme}
          >
            <Icon name={dark ? "sun" : "moon"} />
          </button>
          <button
            type="button"
            class="icon-button hide-phone"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            onClick={() => (helpOpen.value = true)}
          >
            <Icon name="keyboard" />
          </button>
          <button
            type="button"
            class="icon-button"
            aria-label={user ? `Sign out ${user.email}` : "Sign out"}
            title="Sign out"
            onClick={() => void signOut()}
          >
            <Icon name="logout" />
          </button>
        </div>
      </header>
      <StatusBanner />
      <div class="layout">
        <main id="main" tabIndex={-1}>
          {isListView(view) ? (
            <TasksView view={view} />
          ) : view === "inbox" ? (
            <InboxView />
          ) : view === "reminders" ? (
            <RemindersView />
          ) : (
            <SettingsView onSignOut={() => void signOut()} />
          )}
        </main>
        {chatOpen.value &&
          (Chat ? (
            <Chat onClose={() => (chatOpen.value = false)} />
          ) : (
            <aside class="chat" aria-label="Assistant">
              <p class="muted">Loading the assistant…</p>
            </aside>
          ))}
      </div>
      <Toasts />
      {target && Editor && <Editor target={target} onClose={() => (editorTarget.value = null)} />}
      {helpOpen.value && <Help />}
    </div>
  )
}
