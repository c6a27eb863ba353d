import { Broker, type BrokerOptions, type BrokerRecord } from "./Broker.ts"
import {
  type DeliveryAttempt,
  type DeliveryResult,
  MeshLog,
  type PublishRequestLog,
  type SidecarSpan,
} from "./MeshLog.ts"
import { Sidecar, type SidecarOptions } from "./Sidecar.ts"
import { sleep } from "./Sleep.ts"

/**
 * A test-only Dapr mesh: one broker (Kafka stand-in) and any number of sidecars, with the observation and waiting
 * helpers tests need. See README.md next to this file.
 */

/** Options every sidecar of the mesh starts from (each `addSidecar` call can still override them). */
export type SidecarDefaults = Omit<SidecarOptions, "appId" | "appPort" | "appUrl" | "port">

export interface DaprMeshOptions extends BrokerOptions {
  readonly defaults?: SidecarDefaults
}

export interface LogFilter {
  readonly appId?: string
  readonly topic?: string
  readonly cloudEventId?: string
}

export interface WaitOptions {
  /** Default 5000 ms. */
  readonly timeoutMs?: number
  /** Polling interval, default 10 ms. */
  readonly intervalMs?: number
  /** Included in the timeout error. */
  readonly message?: string
}

type Found<T> = Exclude<T, undefined | null | false>

const matches = (filter: LogFilter | undefined, e: { appId: string; topic: string; cloudEventId: string }) =>
  (filter?.appId === undefined || filter.appId === e.appId) &&
  (filter?.topic === undefined || filter.topic === e.topic) &&
  (filter?.cloudEventId === undefined || filter.cloudEventId === e.cloudEventId)

export class DaprMesh {
  readonly broker: Broker
  readonly log = new MeshLog()
  readonly #defaults: SidecarDefaults
  #sidecars: Sidecar[] = []

  constructor(options: DaprMeshOptions = {}) {
    this.broker = new Broker(options)
    this.#defaults = options.defaults ?? {}
  }

  /**
   * Starts a sidecar. Resolves once its HTTP API listens and, if the app address is given, once the app answered
   * `GET /dapr/subscribe` (rejects if it does not within `appReadyTimeoutMs`, or with an unsupported routing rule).
   */
  async addSidecar(options: SidecarOptions): Promise<Sidecar> {
    const sidecar = await Sidecar.start(
      {
        broker: this.broker,
        log: this.log,
        onClosed: (s) => {
          this.#sidecars = this.#sidecars.filter((x) => x !== s)
        },
      },
      { ...this.#defaults, ...options },
    )
    this.#sidecars.push(sidecar)
    return sidecar
  }

  get sidecars(): readonly Sidecar[] {
    return this.#sidecars
  }

  /** The (first) sidecar of an app. */
  sidecar(appId: string): Sidecar {
    const found = this.#sidecars.find((s) => s.appId === appId)
    if (found === undefined) throw new Error(`[dapr-sim] no sidecar for app ${appId}`)
    return found
  }

  /** Records written to a topic (publishes and dead letters), in order. */
  published(topic: string): readonly BrokerRecord[] {
    return this.broker.records(topic)
  }

  publishRequests(filter?: { readonly appId?: string }): readonly PublishRequestLog[] {
    return this.log.publishRequests.filter((p) => filter?.appId === undefined || p.appId === filter.appId)
  }

  /** Every delivery attempt (HTTP POST to an app). */
  attempts(filter?: LogFilter): readonly DeliveryAttempt[] {
    return this.log.attempts.filter((a) => matches(filter, a))
  }

  /** How each handled record ended (acked, dropped, dead-lettered, abandoned). */
  results(filter?: LogFilter): readonly DeliveryResult[] {
    return this.log.results.filter((r) => matches(filter, r))
  }

  /** Spans the sidecars made with tracing on, in the order they were made (DAPR.md §6). */
  sidecarSpans(): readonly SidecarSpan[] {
    return this.log.spans
  }

  deadLetters(filter?: LogFilter): readonly DeliveryResult[] {
    return this.results(filter).filter((r) => r.result === "dead-lettered")
  }

  /**
   * True when nothing is moving: no publish or subscription read in progress, no record in flight (retries and
   * backoffs count as in flight), and no running, unpaused consumer has records left.
   */
  isIdle(): boolean {
    return this.broker.settled && this.#sidecars.every((s) => !s.busy)
  }

  /**
   * Polls `probe` until it returns something other than undefined/null/false (a thrown error counts as "not yet")
   * and resolves with that value; rejects after `timeoutMs` with the last error, if any.
   */
  async waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<Found<T>> {
    const timeoutMs = options.timeoutMs ?? 5000
    const deadline = Date.now() + timeoutMs
    let lastError: unknown
    for (;;) {
      try {
        const v = await probe()
        if (v !== undefined && v !== null && v !== false) return v as Found<T>
      } catch (e) {
        lastError = e
      }
      if (Date.now() >= deadline) {
        const why =
          lastError === undefined
            ? ""
            : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
        throw new Error(
          `[dapr-sim] waitFor timed out after ${timeoutMs} ms${options.message ? ` (${options.message})` : ""}${why}`,
        )
      }
      await sleep(options.intervalMs ?? 10)
    }
  }

  /** Waits until `isIdle()` holds on two polls in a row. A partition stuck in endless redelivery never gets idle. */
  async waitForIdle(options: WaitOptions = {}): Promise<void> {
    let streak = 0
    await this.waitFor(
      () => {
        streak = this.isIdle() ? streak + 1 : 0
        return streak >= 2
      },
      { message: "mesh idle", ...options, intervalMs: options.intervalMs ?? 5 },
    )
  }

  /** Stops every sidecar (servers, connections, timers). The mesh can not be used afterwards. */
  async close(): Promise<void> {
    await Promise.all([...this.#sidecars].map((s) => s.close()))
  }
}

/** Same as `mesh.addSidecar(options)`. */
export const startSidecar = (mesh: DaprMesh, options: SidecarOptions): Promise<Sidecar> =>
  mesh.addSidecar(options)
