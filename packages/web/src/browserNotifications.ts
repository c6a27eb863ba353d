import { computed, signal } from "@preact/signals"
import type { Notification as Reminder } from "@todo/contracts"
import { findTask } from "./stores/tasks.ts"
import { editorTarget, navigate } from "./ui.ts"

/**
 * Reminders as the browser's own notifications (the Notification API), besides the in-app toast, so they reach
 * someone working in another tab or window. The browser asks for permission only when the user presses the button
 * (browsers ignore or penalise prompts nobody asked for); the user can turn them off here without touching the
 * browser's setting.
 */

const PREFERENCE = "todo.browserNotifications"
const supported = typeof window !== "undefined" && "Notification" in window

export type Permission = NotificationPermission | "unsupported"
const readPermission = (): Permission => (supported ? window.Notification.permission : "unsupported")

export const permission = signal<Permission>(readPermission())
/** The user's own switch (on unless they turned it off here). */
const wanted = signal(localStorage.getItem(PREFERENCE) !== "off")
export const browserNotificationsOn = computed(() => permission.value === "granted" && wanted.value)

// The user may change the permission in the browser's site settings while the app is open.
if (supported && navigator.permissions) {
  void navigator.permissions
    .query({ name: "notifications" })
    .then((status) => {
      status.addEventListener("change", () => {
        permission.value = readPermission()
      })
    })
    .catch(() => {})
}

/** Asks the browser (a prompt, the first time) and turns them on; call it from a click. */
export const turnOnBrowserNotifications = async () => {
  if (!supported) return
  localStorage.removeItem(PREFERENCE)
  wanted.value = true
  permission.value = await window.Notification.requestPermission()
}

export const turnOffBrowserNotifications = () => {
  localStorage.setItem(PREFERENCE, "off")
  wanted.value = false
}

/** Shows a reminder as a browser notification (when on); a click brings the app forward with the task open. */
export const notifyInBrowser = (n: Reminder) => {
  permission.value = readPermission()
  if (!browserNotificationsOn.value) return
  try {
    // One per reminder even with several tabs open: the same tag replaces, never stacks.
    const shown = new window.Notification(n.title, { body: n.message, tag: n.id, icon: "/favicon.svg" })
    shown.addEventListener("click", () => {
      window.focus()
      const task = n.taskId ? findTask(n.taskId) : undefined
      if (task) editorTarget.value = { mode: "edit", task }
      else navigate("reminders")
      shown.close()
    })
  } catch {
    // Some browsers allow notifications only from a service worker (Chrome on Android): the toast still shows.
  }
}
