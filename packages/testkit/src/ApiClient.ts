import { initClient } from "@ts-rest/core"
import { contract } from "@todo/contracts"

/** The typed ts-rest client every test talks to the API with: if the contract and the server drift, tests break. */
export const apiClient = (baseUrl: string, token?: string) =>
  initClient(contract, {
    baseUrl,
    baseHeaders: token ? { authorization: `Bearer ${token}` } : {},
    throwOnUnknownStatus: true,
  })
export type ApiClient = ReturnType<typeof apiClient>

let counter = 0
/** Signs up a fresh user and returns a client authenticated as them. */
export const signUp = async (baseUrl: string, name = "Test User") => {
  const email = `user-${process.pid}-${Date.now()}-${counter++}@example.com`
  const password = "correct horse battery"
  const res = await apiClient(baseUrl).api.auth.signUp({ body: { email, password, name } })
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`)
  return {
    client: apiClient(baseUrl, res.body.token),
    user: res.body.user,
    token: res.body.token,
    email,
    password,
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export const eventually = async <A>(
  probe: () => Promise<A | undefined>,
  { timeoutMs = 5_000, intervalMs = 25, what = "condition" } = {},
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`)
}

/**
 * Waits for `GET {baseUrl}/ready` to answer 2xx. Each probe has its own short timeout: a probe that hangs must not
 * use up the whole wait.
 */
export const waitUntilReady = (
  baseUrl: string,
  { timeoutMs = 20_000, what = `${baseUrl} to be ready`, check = () => {} } = {},
) =>
  eventually(
    async () => {
      check()
      const res = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2_000) })
      return res.ok ? true : undefined
    },
    { timeoutMs, what },
  )
