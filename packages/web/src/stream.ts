import { signal } from "@preact/signals"
import { authHeader } from "./api.ts"
import { reconnectDelays } from "./reconnect.ts"
import { parseSse } from "./sse.ts"

/**
 * Live updates: `GET /api/stream`, server-sent events of the user's changes. `EventSource` cannot send the bearer
 * header, so this reads the stream with `fetch` and parses the SSE framing itself. After a drop it reconnects on
 * `reconnectSchedule` (1 s → 30 s, with jitter); a stream that stays silent past the server's 15 s pings counts as
 * dropped.
 */

export type StreamState = "connecting" | "live" | "reconnecting" | "unavailable"
export const streamState = signal<StreamState>("connecting")

export interface ChangeEvent {
  readonly kind: string
  readonly id: string
  readonly taskId?: string
  readonly change: string
}

export interface StreamHandlers {
  readonly onEvent: (e: ChangeEvent) => void
  /** Called each time the stream (re)opens: anything may have changed while it was down. */
  readonly onOpen: () => void
  readonly onUnauthorized: () => void
}

const SILENCE_MS = 45_000

/** Starts the stream; returns a function that stops it for good. */
export const startStream = (handlers: StreamHandlers): (() => void) => {
  let stopped = false
  let nextDelay = reconnectDelays()
  let controller: AbortController | undefined
  let silence: ReturnType<typeof setTimeout> | undefined
  let wake: (() => void) | undefined

  const armSilence = () => {
    clearTimeout(silence)
    silence = setTimeout(() => controller?.abort(), SILENCE_MS)
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(t)
        resolve()
      }
    })

  // Coming back online (or to the tab) is a good moment to try again at once.
  const retryNow = () => {
    if (streamState.value !== "live") wake?.()
  }
  window.addEventListener("online", retryNow)

  const loop = async () => {
    while (!stopped) {
      controller = new AbortController()
      try {
        armSilence()
        const res = await fetch("/api/stream", {
          headers: { accept: "text/event-stream", ...authHeader() },
          signal: controller.signal,
          cache: "no-store",
        })
        if (res.status === 401) {
          handlers.onUnauthorized()
          return
        }
        if (!res.ok || !res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
          // 404 until the server has the route: keep polling the fallback and try now and then.
          if (res.status === 404) streamState.value = "unavailable"
          throw new Error(`stream answered ${res.status}`)
        }
        nextDelay = reconnectDelays()
        streamState.value = "live"
        handlers.onOpen()
        await parseSse(
          res.body,
          (event, data) => {
            try {
              const parsed = JSON.parse(data) as Omit<ChangeEvent, "kind">
              if (typeof parsed.id === "string") handlers.onEvent({ ...parsed, kind: event })
            } catch {
              // Not ours to understand; ignore.
            }
          },
          armSilence,
        )
        throw new Error("stream ended")
      } catch {
        clearTimeout(silence)
        if (stopped) return
        if (streamState.value !== "unavailable") streamState.value = "reconnecting"
        await sleep(nextDelay())
      }
    }
  }
  void loop()

  return () => {
    stopped = true
    clearTimeout(silence)
    controller?.abort()
    wake?.()
    window.removeEventListener("online", retryNow)
    streamState.value = "connecting"
  }
}
