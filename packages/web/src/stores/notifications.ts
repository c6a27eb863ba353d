import { batch, computed, signal } from "@preact/signals"
import type { Notification, Task } from "@todo/contracts"
import { call, client, describeProblem, isMissingRoute } from "../api.ts"
import { notifyInBrowser } from "../browserNotifications.ts"
import { now } from "./clock.ts"
import { ensureTask } from "./tasks.ts"
import { showToast } from "./toasts.ts"

/**
 * Reminders: the notifications delivered (with the unread count, and a toast and a browser notification for each one
 * that arrives while we watch), and the reminders still to come.
 */

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
        notifyInBrowser(n)
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
// Scheduled: open tasks whose reminder has not come yet

const SCHEDULED_PAGES = 5
export const scheduledLoaded = signal<ReadonlyArray<Task>>([])
export const scheduledState = signal<"idle" | "loading" | "error">("idle")
/** More than the pages loaded (a very long list): the view says so. */
export const scheduledTruncated = signal(false)

/** Soonest first, and only those still in the future: one that comes due drops out (its notification arrives). */
export const scheduled = computed(() => {
  const nowMs = now.value
  return scheduledLoaded.value
    .filter((t) => t.remindAt !== null && Date.parse(t.remindAt) > nowMs)
    .slice()
    .sort((a, b) => Date.parse(a.remindAt!) - Date.parse(b.remindAt!))
})

let scheduledSeq = 0
let watchers = 0

export const reloadScheduled = async () => {
  const seq = ++scheduledSeq
  scheduledState.value = "loading"
  const items: Array<Task> = []
  let cursor: string | null = null
  let pages = 0
  const remindAfter = new Date().toISOString()
  do {
    const query = { status: "open" as const, remindAfter, sort: "dueDate" as const, limit: "100" }
    const res = await call(() => client.api.tasks.list({ query: cursor ? { ...query, cursor } : query }))
    if (seq !== scheduledSeq) return
    if (res.status !== 200) {
      scheduledState.value = "error"
      return
    }
    items.push(...res.body.items)
    cursor = res.body.nextCursor
  } while (cursor !== null && ++pages < SCHEDULED_PAGES)
  batch(() => {
    scheduledLoaded.value = items
    scheduledTruncated.value = cursor !== null
    scheduledState.value = "idle"
  })
}

/** While a screen shows the scheduled reminders, task changes reload them; returns the function that stops it. */
export const watchScheduled = () => {
  watchers++
  void reloadScheduled()
  return () => {
    watchers--
  }
}

/** A task changed, or a reminder fired: the scheduled list may differ (reloaded only while someone watches it). */
export const scheduledMayHaveChanged = () => {
  if (watchers > 0) void reloadScheduled()
}

export const clearNotifications = () => {
  scheduledLoaded.value = []
  notifications.value = []
  announced.clear()
  notificationsPrimed = false
}
