import { connection } from "../api.ts"
import { streamState } from "../stream.ts"

/** Whether the server can be reached and whether live updates flow. */

export const StatusBanner = () => {
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

export const LiveIndicator = () => {
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
