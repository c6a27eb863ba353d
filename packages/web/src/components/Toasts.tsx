import { useLayoutEffect, useRef } from "preact/hooks"
import { dismissToast, toasts } from "../stores/toasts.ts"
import { Icon } from "./common.tsx"

/** Room the toasts take at the bottom of the window, so the page can leave it free (see `.layout`). */
const useReservedSpace = (el: { current: HTMLElement | null }) => {
  useLayoutEffect(() => {
    const node = el.current
    if (!node) return
    const root = document.documentElement
    const reserve = () => {
      const height = node.getBoundingClientRect().height
      // The stack's own height, plus the gap between it and the window's edge.
      if (height > 0) root.style.setProperty("--toast-space", `${Math.ceil(height + 16)}px`)
      else root.style.removeProperty("--toast-space")
    }
    reserve()
    const observer = new ResizeObserver(reserve)
    observer.observe(node)
    return () => {
      observer.disconnect()
      root.style.removeProperty("--toast-space")
    }
  }, [])
}

/** Short messages at the bottom; while any shows, the page below keeps its last rows clear of them. */
export const Toasts = () => {
  const stack = useRef<HTMLDivElement>(null)
  useReservedSpace(stack)
  return (
    <div class="toasts" role="status" aria-live="polite" ref={stack}>
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
}
