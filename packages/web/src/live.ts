import { effect } from "@preact/signals"
import { call, client, connection, saveSession, sessionExpired } from "./api.ts"
import { now } from "./stores/clock.ts"
import { reloadNotifications, scheduledMayHaveChanged } from "./stores/notifications.ts"
import { refreshAll } from "./stores/session.ts"
import { reloadSuggestions } from "./stores/suggestions.ts"
import { refreshTask, reloadTags, removeTask } from "./stores/tasks.ts"
import { type ChangeEvent, startStream, streamState } from "./stream.ts"

const SUGGESTION_POLL_MS = 5_000
const HEALTH_POLL_MS = 3_000

const debounce = (f: () => void, ms: number) => {
  let t: ReturnType<typeof setTimeout> | undefined
  return () => {
    clearTimeout(t)
    t = setTimeout(f, ms)
  }
}

/**
 * Everything that keeps a signed-in tab current: the event stream, the polling fallback while the stream is down
 * (suggestions every 5 s, reminders every 15 s), a health probe while the server is unreachable, and the clock.
 * Returns a function that stops it all (sign-out).
 */
export const startLive = (): (() => void) => {
  const suggestionsSoon = debounce(() => void reloadSuggestions(), 150)
  const notificationsSoon = debounce(() => void reloadNotifications(), 150)
  const tagsSoon = debounce(() => void reloadTags(), 1000)
  const scheduledSoon = debounce(scheduledMayHaveChanged, 300)

  const onEvent = (e: ChangeEvent) => {
    switch (e.kind) {
      case "task":
        if (e.change === "deleted") removeTask(e.id)
        else void refreshTask(e.id)
        tagsSoon()
        scheduledSoon()
        break
      case "suggestion":
        suggestionsSoon()
        break
      case "notification":
        notificationsSoon()
        scheduledSoon()
        break
    }
  }

  let first = true
  const stopStream = startStream({
    onEvent,
    // The first open happens right after sign-in's own refresh; later ones may have missed events.
    onOpen: () => {
      if (!first) refreshAll()
      first = false
    },
    onUnauthorized: () => {
      sessionExpired.value = true
      saveSession(null)
    },
  })

  let ticks = 0
  const poll = setInterval(() => {
    ticks++
    if (streamState.value === "live" || connection.value !== "online") return
    void reloadSuggestions()
    if (ticks % 3 === 0) void reloadNotifications()
  }, SUGGESTION_POLL_MS)

  const clock = setInterval(() => {
    now.value = Date.now()
  }, 60_000)

  // While the server is unreachable, knock on /health; when it answers, catch up on everything.
  let health: ReturnType<typeof setInterval> | undefined
  const stopWatch = effect(() => {
    const state = connection.value
    clearInterval(health)
    health = undefined
    if (state === "online") return
    health = setInterval(async () => {
      if (!navigator.onLine) return
      const res = await call(() => client.system.health())
      if (res.status === 200) {
        connection.value = "online"
        refreshAll()
      }
    }, HEALTH_POLL_MS)
  })

  const onOnline = () => {
    connection.value = "online"
    refreshAll()
  }
  const onOffline = () => {
    connection.value = "offline"
  }
  window.addEventListener("online", onOnline)
  window.addEventListener("offline", onOffline)

  refreshAll()

  return () => {
    stopStream()
    stopWatch()
    clearInterval(poll)
    clearInterval(clock)
    clearInterval(health)
    window.removeEventListener("online", onOnline)
    window.removeEventListener("offline", onOffline)
  }
}
