/**
 * Timer helpers that never outlive their purpose: every wait can be cut short by an AbortSignal and always clears its
 * timer, so `DaprMesh.close()` leaves no handle behind and a vitest run can exit.
 */

/** Waits `ms`; resolves `false` at once (and clears the timer) if `signal` aborts first. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve(true)
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
