import type http from "node:http"
import { AppCallError, callApp } from "./AppChannel.ts"
import { sleep } from "./Sleep.ts"
import { type ParsedSubscriptions, parseSubscribeResponse } from "./Subscriptions.ts"

/**
 * The sidecar's start-up calls to its app: `GET /dapr/subscribe` (retried until the app listens, as daprd waits for
 * the app port and retries its first call, DAPR.md §2 "built-in init retries"), then `GET /dapr/config`.
 */
export interface ReadSubscriptionsOptions {
  readonly appId: string
  readonly appUrl: URL
  readonly appApiToken: string | undefined
  readonly timeoutMs: number
  readonly pollIntervalMs: number
  readonly agent: http.Agent
  readonly signal: AbortSignal
}

export const readAppSubscriptions = async (o: ReadSubscriptionsOptions): Promise<ParsedSubscriptions> => {
  // Both calls carry `dapr-app-id`, `Content-Type: application/json` and the app token (DAPR.md §2, §7).
  const headers: Array<readonly [string, string]> = [
    ["dapr-app-id", o.appId],
    ["Content-Type", "application/json"],
    ...(o.appApiToken === undefined ? [] : [["dapr-api-token", o.appApiToken] as const]),
  ]
  const get = (path: string) =>
    callApp(o.agent, { method: "GET", url: new URL(path, o.appUrl), headers, signal: o.signal })
  const deadline = Date.now() + o.timeoutMs
  for (;;) {
    try {
      const answer = await get("/dapr/subscribe")
      const parsed = parseSubscribeResponse(answer.status, answer.body)
      try {
        await get("/dapr/config") // any answer, 404 included, is fine (DAPR.md §9 item 11)
      } catch {}
      return parsed
    } catch (e) {
      if (!(e instanceof AppCallError)) throw e
      if (e.kind === "aborted") throw new Error(`[dapr-sim] sidecar ${o.appId} stopped`)
      if (Date.now() >= deadline) {
        throw new Error(
          `[dapr-sim] sidecar ${o.appId}: the app at ${o.appUrl.origin} did not answer GET /dapr/subscribe within ${o.timeoutMs} ms (${e.message})`,
        )
      }
      await sleep(o.pollIntervalMs, o.signal)
    }
  }
}
