import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"

/**
 * A scripted OpenAI-compatible server for tests: `POST /v1/chat/completions` answered from a queue of steps or a
 * function of the request, every request recorded (messages, tools) for assertions. Real HTTP on 127.0.0.1, so the
 * real `openai` SDK talks to it through `baseURL` / `OPENAI_BASE_URL`.
 */

/** One tool call the scripted model makes; `arguments` is sent as JSON unless it is already a string. */
export interface FakeToolCall {
  readonly name: string
  readonly arguments: unknown
  readonly id?: string
}

/** What the fake answers to one request. `delayMs` holds the answer back (to provoke client timeouts). */
export type FakeStep =
  | { readonly type: "text"; readonly content: string; readonly delayMs?: number }
  | {
      readonly type: "tool_calls"
      readonly calls: ReadonlyArray<FakeToolCall>
      readonly content?: string | null
      readonly delayMs?: number
    }
  | {
      readonly type: "http_error"
      readonly status: number
      readonly message?: string
      readonly headers?: Readonly<Record<string, string>>
      readonly delayMs?: number
    }
  | {
      readonly type: "raw"
      readonly status?: number
      readonly body: string
      readonly contentType?: string
      readonly delayMs?: number
    }

/** A request the fake received. `messages` and `tools` are taken from the JSON body as sent. */
export interface FakeRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Record<string, unknown>
  readonly model: string | undefined
  readonly messages: ReadonlyArray<FakeMessage>
  readonly tools: ReadonlyArray<FakeTool>
}

/** A chat message as the client sent it (the fields tests look at; anything else stays in `body`). */
export interface FakeMessage {
  readonly role: string
  readonly content?: string | null | ReadonlyArray<unknown>
  readonly tool_call_id?: string
  readonly tool_calls?: ReadonlyArray<{
    readonly id: string
    readonly type: string
    readonly function: { readonly name: string; readonly arguments: string }
  }>
}

export interface FakeTool {
  readonly type: string
  readonly function: { readonly name: string; readonly description?: string; readonly parameters?: unknown }
}

/** Answers a request: a step, or `undefined` to fall through to the queue. */
export type FakeHandler = (request: FakeRequest, index: number) => FakeStep | undefined

/** A text answer (finish_reason "stop"). */
export const fakeText = (content: string, delayMs?: number): FakeStep =>
  delayMs === undefined ? { type: "text", content } : { type: "text", content, delayMs }

/** An answer that calls tools (finish_reason "tool_calls"). */
export const fakeToolCalls = (...calls: ReadonlyArray<FakeToolCall>): FakeStep => ({
  type: "tool_calls",
  calls,
})

/** An HTTP error with an OpenAI-style error body (`{ error: { message, type, code } }`). */
export const fakeError = (
  status: number,
  options: { readonly message?: string; readonly headers?: Record<string, string> } = {},
): FakeStep => ({ type: "http_error", status, ...options })

/** A 200 whose body is not a chat completion (by default not even JSON). */
export const fakeMalformed = (body = '{"choices": [ this is not json'): FakeStep => ({
  type: "raw",
  status: 200,
  body,
  contentType: "application/json",
})

/** The same step, answered after `delayMs`. */
export const delayed = (delayMs: number, step: FakeStep): FakeStep => ({ ...step, delayMs })

export interface OpenAiFake {
  /** `http://127.0.0.1:<port>/v1`: the SDK's `baseURL`, or `OPENAI_BASE_URL`. */
  readonly baseUrl: string
  /** Every chat-completion request received, in order. */
  readonly requests: ReadonlyArray<FakeRequest>
  /** Queues steps, answered in order after any already queued. */
  readonly enqueue: (...steps: ReadonlyArray<FakeStep>) => void
  /** Answers every request from a function (it may return `undefined` to use the queue). */
  readonly respondWith: (handler: FakeHandler | undefined) => void
  /** How many queued steps are still unanswered. */
  readonly pending: () => number
  /** Requests that found neither a handler answer nor a queued step (they got a 500). */
  readonly unexpected: () => number
  /** Forgets requests, the queue and the handler. */
  readonly reset: () => void
  /** Stops the server, dropping held (delayed) answers. */
  readonly close: () => Promise<void>
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

const errorType = (status: number) =>
  status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error"

/** Starts a fake on a free loopback port. */
export const startOpenAiFake = async (
  options: { readonly script?: ReadonlyArray<FakeStep>; readonly handler?: FakeHandler } = {},
): Promise<OpenAiFake> => {
  const queue: Array<FakeStep> = [...(options.script ?? [])]
  let handler: FakeHandler | undefined = options.handler
  const requests: Array<FakeRequest> = []
  let unexpected = 0
  let callCounter = 0
  let completionCounter = 0
  const timers = new Set<NodeJS.Timeout>()

  const completion = (model: string, message: Record<string, unknown>, finishReason: string) => ({
    id: `chatcmpl-fake-${++completionCounter}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  })

  const send = (res: ServerResponse, step: FakeStep, model: string) => {
    if (res.destroyed) return
    switch (step.type) {
      case "text":
        res.writeHead(200, { "content-type": "application/json" })
        res.end(
          JSON.stringify(
            completion(model, { role: "assistant", content: step.content, refusal: null }, "stop"),
          ),
        )
        return
      case "tool_calls": {
        const toolCalls = step.calls.map((call) => ({
          id: call.id ?? `call_${++callCounter}`,
          type: "function",
          function: {
            name: call.name,
            arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
          },
        }))
        res.writeHead(200, { "content-type": "application/json" })
        res.end(
          JSON.stringify(
            completion(
              model,
              { role: "assistant", content: step.content ?? null, refusal: null, tool_calls: toolCalls },
              "tool_calls",
            ),
          ),
        )
        return
      }
      case "http_error":
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers })
        res.end(
          JSON.stringify({
            error: {
              message: step.message ?? `fake error ${step.status}`,
              type: errorType(step.status),
              param: null,
              code: null,
            },
          }),
        )
        return
      case "raw":
        res.writeHead(step.status ?? 200, { "content-type": step.contentType ?? "application/json" })
        res.end(step.body)
        return
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req)
      const path = (req.url ?? "/").split("?")[0] ?? "/"
      if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
        send(res, { type: "http_error", status: 404, message: `no route ${req.method} ${path}` }, "")
        return
      }
      let body: Record<string, unknown>
      try {
        body = asRecord(JSON.parse(text))
      } catch {
        send(res, { type: "http_error", status: 400, message: "body is not JSON" }, "")
        return
      }
      const request: FakeRequest = {
        method: req.method,
        path,
        headers: req.headers,
        body,
        model: typeof body.model === "string" ? body.model : undefined,
        messages: Array.isArray(body.messages) ? (body.messages as Array<FakeMessage>) : [],
        tools: Array.isArray(body.tools) ? (body.tools as Array<FakeTool>) : [],
      }
      const index = requests.length
      requests.push(request)
      const step = handler?.(request, index) ?? queue.shift()
      const model = request.model ?? "fake-model"
      if (step === undefined) {
        unexpected++
        send(res, { type: "http_error", status: 500, message: "OpenAiFake: nothing scripted" }, model)
        return
      }
      if (step.delayMs !== undefined && step.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer)
          send(res, step, model)
        }, step.delayMs)
        timers.add(timer)
        // A client that gave up (timed out) closes the connection: drop the held answer.
        res.once("close", () => {
          clearTimeout(timer)
          timers.delete(timer)
        })
        return
      }
      send(res, step, model)
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" })
      res.end(String(e))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...steps) => {
      queue.push(...steps)
    },
    respondWith: (h) => {
      handler = h
    },
    pending: () => queue.length,
    unexpected: () => unexpected,
    reset: () => {
      requests.length = 0
      queue.length = 0
      handler = undefined
      unexpected = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * The fake as a test layer: one server for the layer's lifetime (e.g. an `@effect/vitest` `layer(...)` block),
 * closed with it. Tests reset it themselves.
 */
export class OpenAiFakeServer extends Context.Service<OpenAiFakeServer, OpenAiFake>()(
  "@todo/testkit/OpenAiFakeServer",
) {
  static readonly layer = Layer.effect(
    OpenAiFakeServer,
    Effect.acquireRelease(
      Effect.promise(() => startOpenAiFake()),
      (fake) => Effect.promise(() => fake.close()),
    ),
  )
}
