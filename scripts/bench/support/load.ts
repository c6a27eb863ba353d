// HTTP load for scripts/bench/api.ts: an open-loop generator at a fixed offered rate (undici), and closed-loop
// saturation (autocannon).
//
// Why not autocannon for the fixed rate: its `overallRate`/`connectionRate` give each connection a budget of N
// requests per second, refilled by a 1 s setInterval, and the connection spends it back to back (closed loop)
// as soon as the second starts (node_modules/autocannon/lib/httpClient.js, `reqsMadeThisSecond`). 1 000/s over
// 100 connections is then a burst of 100 concurrent requests, 10 deep, at the top of every second and silence
// after: not a fixed offered load, and its latencies are those of the burst's queue. Here each request has its
// own scheduled start (i / rate), is sent then whether or not earlier ones have answered, and its latency is
// counted from that scheduled start, so a slow server cannot slow the load down (no coordinated omission).
import { createRequire } from "node:module"
import { Pool } from "undici"
import { type Summary, summary } from "./stats.ts"

export interface HttpRequest {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly headers: Record<string, string>
  readonly body?: string
}

export interface OpenLoopResult {
  readonly offeredRate: number
  readonly seconds: number
  readonly sent: number
  /** Responses per second over the run (first scheduled send → last response). */
  readonly achievedRate: number
  readonly ok: number
  readonly statuses: Record<string, number>
  /** Transport errors and time-outs. */
  readonly errors: number
  /** From each request's scheduled start to the end of its response body, ms. */
  readonly latency: Summary
  /** How late the generator itself sent requests (its own event loop), ms. */
  readonly sendLag: Summary
  readonly meanResponseBytes: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Offers `rate` requests per second for `seconds` over a pool of `connections` keep-alive connections. */
export const openLoop = async (options: {
  readonly origin: string
  readonly rate: number
  readonly seconds: number
  readonly connections: number
  readonly request: (i: number) => HttpRequest
  readonly timeoutMs?: number
}): Promise<OpenLoopResult> => {
  const timeoutMs = options.timeoutMs ?? 10_000
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  })
  const total = Math.round(options.rate * options.seconds)
  const interval = 1000 / options.rate
  const latencies: Array<number> = []
  const lags: Array<number> = []
  const statuses: Record<string, number> = {}
  let ok = 0
  let errors = 0
  let bytes = 0
  let lastDone = 0
  const inflight = new Set<Promise<void>>()

  const fire = (i: number, scheduled: number) => {
    const r = options.request(i)
    lags.push(performance.now() - scheduled)
    const p = pool
      .request({
        origin: options.origin,
        method: r.method,
        path: r.path,
        headers: r.headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
      })
      .then(async (res) => {
        for await (const chunk of res.body) bytes += (chunk as Buffer).length
        const done = performance.now()
        lastDone = Math.max(lastDone, done)
        latencies.push(done - scheduled)
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
        if (res.statusCode >= 200 && res.statusCode < 300) ok++
      })
      .catch(() => {
        errors++
      })
      .finally(() => inflight.delete(p))
    inflight.add(p)
  }

  const start = performance.now() + 20
  let i = 0
  while (i < total) {
    const now = performance.now()
    // Every request whose scheduled time has come goes now (catching up after a late timer).
    while (i < total && start + i * interval <= now) {
      fire(i, start + i * interval)
      i++
    }
    if (i < total) await sleep(Math.max(0, start + i * interval - performance.now()))
  }
  const deadline = performance.now() + timeoutMs + 1_000
  while (inflight.size > 0 && performance.now() < deadline) await Promise.race([...inflight, sleep(100)])
  await pool.destroy()
  const elapsed = (Math.max(lastDone, start + total * interval) - start) / 1000
  const completed = latencies.length
  return {
    offeredRate: options.rate,
    seconds: options.seconds,
    sent: total,
    achievedRate: completed / elapsed,
    ok,
    statuses,
    errors: errors + (total - completed - errors),
    latency: summary(latencies),
    sendLag: summary(lags),
    meanResponseBytes: completed > 0 ? bytes / completed : 0,
  }
}

// --- closed loop: autocannon -----------------------------------------------------------------------------------

interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
  setupRequest?: (req: AutocannonRequest, context: object) => AutocannonRequest
}
interface AutocannonResult {
  requests: { total: number; average: number }
  latency: { p50: number; p90: number; p97_5: number; p99: number; average: number; max: number }
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  "1xx": number
  "2xx": number
  "3xx": number
  "4xx": number
  "5xx": number
}
type Autocannon = (options: {
  url: string
  connections: number
  duration: number
  pipelining?: number
  timeout?: number
  requests: Array<AutocannonRequest>
}) => Promise<AutocannonResult>

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon

export interface SaturationResult {
  readonly connections: number
  readonly seconds: number
  readonly total: number
  /** 2xx responses. */
  readonly ok: number
  /** 2xx responses per second. */
  readonly throughput: number
  readonly non2xx: number
  readonly errors: number
  readonly latency: {
    readonly p50: number
    readonly p99: number
    readonly mean: number
    readonly max: number
  }
}

/** As many requests as `connections` keep-alive connections can get answered, one at a time each, for `seconds`. */
export const saturate = async (options: {
  readonly origin: string
  readonly connections: number
  readonly seconds: number
  readonly request: (i: number) => HttpRequest
}): Promise<SaturationResult> => {
  let i = 0
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const r = options.request(i++)
          return {
            ...req,
            method: r.method,
            path: r.path,
            // A copy: autocannon writes content-length into the headers object it is given, and a GET that later
            // shares that object announces a body it never sends, which stalls its connection.
            headers: { ...r.headers },
            ...(r.body ? { body: r.body } : {}),
          }
        },
      },
    ],
  })
  return {
    connections: options.connections,
    seconds: result.duration,
    total: result.requests.total,
    ok: result["2xx"],
    throughput: result["2xx"] / result.duration,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latency: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
  }
}
