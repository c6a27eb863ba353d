import { dismissToast, toasts } from "../stores/toasts.ts"
import { Icon } from "./common.tsx"

export const Toasts = () => (
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
