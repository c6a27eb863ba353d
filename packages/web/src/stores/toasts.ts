import { signal } from "@preact/signals"

/** Short messages at the bottom of the screen, some with an action (Undo). At most four at a time. */

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

export const clearToasts = () => {
  toasts.value = []
}
