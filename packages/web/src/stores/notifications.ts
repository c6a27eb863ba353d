import { batch, computed, signal } from "@preact/signals"
import type { Notification } from "@todo/contracts"
import { call, client, describeProblem, isMissingRoute } from "../api.ts"
import { ensureTask } from "./tasks.ts"
import { showToast } from "./toasts.ts"

/** Reminder notifications: the list, the unread count, and a toast for each one that arrives while we watch. */

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

export const clearNotifications = () => {
  notifications.value = []
  announced.clear()
  notificationsPrimed = false
}
