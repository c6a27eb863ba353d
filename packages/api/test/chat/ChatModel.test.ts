import {
  delayed,
  fakeError,
  fakeMalformed,
  fakeText,
  fakeToolCalls,
  type OpenAiFake,
  startOpenAiFake,
} from "@todo/testkit"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { ChatModel, type ChatModelConfig } from "../../src/chat/ChatModel.ts"

let fake: OpenAiFake
beforeAll(async () => {
  fake = await startOpenAiFake()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  fake.reset()
})

const config = (overrides: Partial<ChatModelConfig> = {}): ChatModelConfig => ({
  apiKey: Option.some(Redacted.make("sk-test")),
  baseUrl: Option.some(fake.baseUrl),
  model: "gpt-test",
  timeout: Duration.seconds(5),
  maxRetries: 0,
  ...overrides,
})

const tools = [
  {
    type: "function" as const,
    function: { name: "create_task", parameters: { type: "object", properties: {} } },
  },
]
/** The model as the layer builds it from an environment. */
const fromEnv = (env: Record<string, string>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* ChatModel
    }).pipe(
      Effect.provide(ChatModel.layer),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
    ),
  )

const ask = (model: ChatModel["Service"]) =>
  model.complete({ messages: [{ role: "user", content: "hi" }], tools })

describe("ChatModel", () => {
  it("sends the model, messages, tools and key, and reads a text answer", async () => {
    fake.enqueue(fakeText("Hello!"))
    const reply = await Effect.runPromise(ask(ChatModel.make(config())))
    expect(reply).toEqual({ content: "Hello!", toolCalls: [] })
    expect(fake.requests).toHaveLength(1)
    const request = fake.requests[0]!
    expect(request.headers.authorization).toBe("Bearer sk-test")
    expect(request.body).toMatchObject({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      tools,
      tool_choice: "auto",
    })
  })

  it("reads tool calls with their raw JSON arguments", async () => {
    fake.enqueue(fakeToolCalls({ id: "call_a", name: "create_task", arguments: { title: "Milk" } }))
    const reply = await Effect.runPromise(ask(ChatModel.make(config())))
    expect(reply).toEqual({
      content: null,
      toolCalls: [{ id: "call_a", name: "create_task", arguments: '{"title":"Milk"}' }],
    })
  })

  it("retries a 429 (the SDK's maxRetries) and then answers", async () => {
    fake.enqueue(fakeError(429, { headers: { "retry-after-ms": "5" } }), fakeText("after the retry"))
    const reply = await Effect.runPromise(ask(ChatModel.make(config({ maxRetries: 1 }))))
    expect(reply.content).toBe("after the retry")
    expect(fake.requests).toHaveLength(2)
  })

  it("gives up on a 500 after maxRetries with ModelFailure", async () => {
    fake.enqueue(
      fakeError(500, { headers: { "retry-after-ms": "5" } }),
      fakeError(503, { headers: { "retry-after-ms": "5" } }),
    )
    const error = await Effect.runPromise(Effect.flip(ask(ChatModel.make(config({ maxRetries: 1 })))))
    expect(error).toMatchObject({ _tag: "ModelFailure", status: 503 })
    expect(fake.requests).toHaveLength(2)
  })

  it("maps a timeout to ModelTimeout", async () => {
    fake.enqueue(delayed(2_000, fakeText("too late")))
    const started = Date.now()
    const error = await Effect.runPromise(
      Effect.flip(ask(ChatModel.make(config({ timeout: Duration.millis(150) })))),
    )
    expect(error._tag).toBe("ModelTimeout")
    expect(Date.now() - started).toBeLessThan(1_500)
  })

  it("maps a malformed body and a body without choices to ModelFailure", async () => {
    fake.enqueue(fakeMalformed(), fakeMalformed('{"id":"x","object":"chat.completion","choices":[]}'))
    const model = ChatModel.make(config())
    expect(await Effect.runPromise(Effect.flip(ask(model)))).toMatchObject({ _tag: "ModelFailure" })
    expect(await Effect.runPromise(Effect.flip(ask(model)))).toMatchObject({ _tag: "ModelFailure" })
  })

  it("builds without a key and then fails every call with ChatNotConfigured, sending nothing", async () => {
    const model = await fromEnv({ OPENAI_BASE_URL: fake.baseUrl })
    expect(model.configured).toBe(false)
    expect(await Effect.runPromise(Effect.flip(ask(model)))).toMatchObject({ _tag: "ChatNotConfigured" })
    const blank = ChatModel.make(config({ apiKey: Option.some(Redacted.make("  ")) }))
    expect(blank.configured).toBe(false)
    expect(fake.requests).toHaveLength(0)
  })

  it("reads OPENAI_* from the environment", async () => {
    fake.enqueue(fakeText("configured"))
    const model = await fromEnv({
      OPENAI_API_KEY: "sk-from-env",
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_MODEL: "my-model",
      OPENAI_TIMEOUT: "2 seconds",
      OPENAI_MAX_RETRIES: "0",
    })
    expect(model.configured).toBe(true)
    expect((await Effect.runPromise(ask(model))).content).toBe("configured")
    expect(fake.requests[0]!.model).toBe("my-model")
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-from-env")
  })
})
