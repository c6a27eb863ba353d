import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  delayed,
  fakeError,
  fakeMalformed,
  fakeText,
  fakeToolCalls,
  type OpenAiFake,
  startOpenAiFake,
} from "../src/OpenAiFake.ts"
import { eventually } from "../src/ApiClient.ts"

let fake: OpenAiFake
beforeEach(async () => {
  fake = await startOpenAiFake()
})
afterEach(async () => {
  await fake.close()
})

const post = (body: unknown, path = "/chat/completions") =>
  fetch(`${fake.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test-key" },
    body: JSON.stringify(body),
  })

const request = {
  model: "gpt-test",
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: "hello" },
  ],
  tools: [{ type: "function", function: { name: "create_task", parameters: { type: "object" } } }],
}

describe("OpenAiFake", () => {
  it("answers queued steps in order and records every request", async () => {
    fake.enqueue(fakeToolCalls({ name: "create_task", arguments: { title: "Milk" } }), fakeText("Done."))

    const first = await post(request)
    expect(first.status).toBe(200)
    const completion = (await first.json()) as Record<string, unknown>
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: "gpt-test",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "create_task", arguments: '{"title":"Milk"}' },
              },
            ],
          },
        },
      ],
    })

    const second = await post({
      ...request,
      messages: [...request.messages, { role: "tool", content: "{}" }],
    })
    expect(await second.json()).toMatchObject({
      choices: [{ finish_reason: "stop", message: { role: "assistant", content: "Done." } }],
    })

    expect(fake.requests).toHaveLength(2)
    expect(fake.requests[0]!.model).toBe("gpt-test")
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer test-key")
    expect(fake.requests[0]!.messages.map((m) => m.role)).toEqual(["system", "user"])
    expect(fake.requests[0]!.tools.map((t) => t.function.name)).toEqual(["create_task"])
    expect(fake.requests[1]!.messages.map((m) => m.role)).toEqual(["system", "user", "tool"])
    expect(fake.pending()).toBe(0)
    expect(fake.unexpected()).toBe(0)
  })

  it("answers from a handler function, falling back to the queue when it returns undefined", async () => {
    fake.enqueue(fakeText("from the queue"))
    fake.respondWith((req, index) =>
      req.messages.some((m) => m.content === "special") ? fakeText(`handled #${index}`) : undefined,
    )
    const handled = await post({ ...request, messages: [{ role: "user", content: "special" }] })
    expect(await handled.json()).toMatchObject({ choices: [{ message: { content: "handled #0" } }] })
    const queued = await post(request)
    expect(await queued.json()).toMatchObject({ choices: [{ message: { content: "from the queue" } }] })
  })

  it("answers HTTP errors with an OpenAI error body and extra headers", async () => {
    fake.enqueue(fakeError(429, { headers: { "retry-after-ms": "10" } }), fakeError(500, { message: "boom" }))
    const limited = await post(request)
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after-ms")).toBe("10")
    expect(await limited.json()).toEqual({
      error: { message: "fake error 429", type: "rate_limit_exceeded", param: null, code: null },
    })
    const failed = await post(request)
    expect(failed.status).toBe(500)
    expect(await failed.json()).toMatchObject({ error: { message: "boom", type: "server_error" } })
  })

  it("serves malformed bodies and delayed answers", async () => {
    fake.enqueue(fakeMalformed(), delayed(150, fakeText("late")))
    const malformed = await post(request)
    expect(malformed.status).toBe(200)
    expect(await malformed.text()).toBe('{"choices": [ this is not json')
    const started = Date.now()
    const late = await post(request)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(await late.json()).toMatchObject({ choices: [{ message: { content: "late" } }] })
  })

  it("answers 500 when nothing is scripted, and 404 off the completions route", async () => {
    const nothing = await post(request)
    expect(nothing.status).toBe(500)
    expect(await nothing.json()).toMatchObject({ error: { message: "OpenAiFake: nothing scripted" } })
    expect(fake.unexpected()).toBe(1)
    const elsewhere = await post(request, "/embeddings")
    expect(elsewhere.status).toBe(404)
    expect(fake.requests).toHaveLength(1)
  })

  it("reset forgets requests, queue and handler; close drops held answers", async () => {
    fake.enqueue(fakeText("a"), fakeText("b"))
    await post(request)
    fake.reset()
    expect(fake.requests).toHaveLength(0)
    expect(fake.pending()).toBe(0)

    fake.enqueue(delayed(10_000, fakeText("never")))
    const held = post(request).then(
      (r) => r.status,
      () => "aborted",
    )
    // The request is being held once the fake has taken its scripted answer off the queue.
    await eventually(async () => (fake.pending() === 0 && fake.requests.length === 1 ? true : undefined), {
      what: "the fake to hold the request",
    })
    const started = Date.now()
    await fake.close()
    expect(await held).toBe("aborted")
    expect(Date.now() - started).toBeLessThan(1_000)
    fake = await startOpenAiFake() // for afterEach
  })
})
