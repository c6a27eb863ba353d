import { signal } from "@preact/signals"
import type { ComponentChildren } from "preact"
import { useEffect, useLayoutEffect } from "preact/hooks"
import { call, client, connection, currentUser, saveSession } from "../api.ts"
import { startLive } from "../live.ts"
import {
  clearState,
  completeTask,
  dismissToast,
  selectedId,
  suggestions,
  toasts,
  unreadCount,
  visibleTasks,
} from "../store.ts"
import { streamState } from "../stream.ts"
import { effectiveTheme, toggleTheme } from "../theme.ts"
import { chatOpen, editorTarget, helpOpen, hrefOf, navigate, type Route, route } from "../ui.ts"
import { Icon, Modal } from "./common.tsx"
import { InboxView, RemindersView } from "./Inbox.tsx"
import { SettingsView } from "./Settings.tsx"
import { TasksView } from "./Tasks.tsx"

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

const NavLink = ({ to, children, count }: { to: Route; children: ComponentChildren; count?: number }) => (
  <a
    href={hrefOf(to)}
    aria-current={route.value === to ? "page" : undefined}
    onClick={(e) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey) return
      e.preventDefault()
      navigate(to)
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

const StatusBanner = () => {
  const c = connection.value
  if (c === "offline") {
    return (
      <div class="banner banner-offline" role="alert">
        You are offline. Changes cannot be saved until the connection is back.
      </div>
    )
  }
  if (c === "down") {
    return (
      <div class="banner banner-down" role="alert">
        Cannot reach the server. Retrying every few seconds…
      </div>
    )
  }
  return null
}

const LiveIndicator = () => {
  const s = streamState.value
  const online = connection.value === "online"
  const [label, cls] =
    !online || s === "reconnecting"
      ? ["Reconnecting…", "warn"]
      : s === "live"
        ? ["Live", "ok"]
        : s === "unavailable"
          ? ["Refreshing every 5 s", "muted"]
          : ["Connecting…", "muted"]
  return (
    <span class={`live live-${cls}`} role="status" title="Live updates">
      <span class="dot" aria-hidden="true" />
      <span class="live-label">{label}</span>
    </span>
  )
}

const Toasts = () => (
  <div class="toasts" role="status" aria-live="polite">
    {toasts.value.map((t) => (
      <div key={t.id} class={`toast toast-${t.tone}`}>
        <span class="toast-message">{t.message}</span>
        {t.action && (
          <button type="button" class="toast-button toast-action" onClick={t.action.run}>
            {t.action.label}
          </button>
        )}
        <button
          type="button"
          class="toast-button icon-button"
          aria-label="Dismiss message"
          onClick={() => dismissToast(t.id)}
        >
          <Icon name="close" />
        </button>
      </div>
    ))}
  </div>
)

const SHORTCUTS: ReadonlyArray<readonly [string, string]> = [
  ["n", "New task (quick add)"],
  ["/", "Search"],
  ["j / k", "Next / previous task"],
  ["x", "Complete (or reopen) the selected task"],
  ["e or Enter", "Edit the selected task"],
  ["g then i", "Go to suggestions"],
  ["?", "Show this help"],
  ["Esc", "Leave a field, close a dialog"],
]

const Help = () => (
  <Modal label="Keyboard shortcuts" onClose={() => (helpOpen.value = false)}>
    <div class="modal-body">
      <div class="modal-head">
        <h2>Keyboard shortcuts</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={() => (helpOpen.value = false)}>
          <Icon name="close" />
        </button>
      </div>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                {k
                  .split(" ")
                  .map((part, i) =>
                    part === "/" && k !== "/" ? (
                      " / "
                    ) : part === "or" || part === "then" ? (
                      ` ${part} `
                    ) : (
                      <kbd key={i}>{part}</kbd>
                    ),
                  )}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </Modal>
)

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

/** Single-key shortcuts, off while typing in a field or while a dialog is open. */
const useShortcuts = () => {
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
        else if (key === "t") navigate("tasks")
        else if (key === "r") navigate("reminders")
        else if (key === "s") navigate("settings")
        return
      }
      switch (key) {
        case "n":
          e.preventDefault()
          navigate("tasks")
          focusSoon("quick-add")
          break
        case "/":
          e.preventDefault()
          navigate("tasks")
          focusSoon("search")
          break
        case "j":
        case "k":
          if (route.value !== "tasks") return
          e.preventDefault()
          moveSelection(key === "j" ? 1 : -1)
          break
        case "x": {
          const task = visibleTasks.value.find((t) => t.id === selectedId.value)
          if (!task || route.value !== "tasks") return
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
          if (!task || route.value !== "tasks") return
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
    const stop = startLive()
    const idle = window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 2000))
    idle(() => {
      void loadEditor()
      void loadChat()
    })
    return stop
  }, [])
  useShortcuts()

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
          {view === "tasks" ? (
            <TasksView />
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
