import { assert, layer } from "@effect/vitest"
import {
  delayed,
  fakeError,
  fakeMalformed,
  fakeText,
  fakeToolCalls,
  type OpenAiFake,
  OpenAiFakeServer,
} from "@todo/testkit"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import { expect } from "vitest"
import { ChatModel, type ChatModelConfig } from "../../src/chat/ChatModel.ts"

const config = (fake: OpenAiFake, overrides: Partial<ChatModelConfig> = {}): ChatModelConfig => ({
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
  Effect.gen(function* () {
    return yield* ChatModel
  }).pipe(
    Effect.provide(ChatModel.layer),
    Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
  )

const ask = (model: ChatModel["Service"]) =>
  model.complete({ messages: [{ role: "user", content: "hi" }], tools })

/** The fake, emptied for this test. */
const freshFake = Effect.gen(function* () {
  const fake = yield* OpenAiFakeServer
  fake.reset()
  return fake
})

layer(OpenAiFakeServer.layer)("ChatModel", (it) => {
  it.effect("sends the model, messages, tools and key, and reads a text answer", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(fakeText("Hello!"))
      const reply = yield* ask(ChatModel.make(config(fake)))
      assert.deepStrictEqual(reply, { content: "Hello!", toolCalls: [] })
      expect(fake.requests).toHaveLength(1)
      const request = fake.requests[0]!
      expect(request.headers.authorization).toBe("Bearer sk-test")
      expect(request.body).toMatchObject({
        model: "gpt-test",
        messages: [{ role: "user", content: "hi" }],
        tools,
        tool_choice: "auto",
      })
    }),
  )

  it.effect("reads tool calls with their raw JSON arguments", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(fakeToolCalls({ id: "call_a", name: "create_task", arguments: { title: "Milk" } }))
      const reply = yield* ask(ChatModel.make(config(fake)))
      assert.deepStrictEqual(reply, {
        content: null,
        toolCalls: [{ id: "call_a", name: "create_task", arguments: '{"title":"Milk"}' }],
      })
    }),
  )

  it.effect("retries a 429 (the SDK's maxRetries) and then answers", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(fakeError(429, { headers: { "retry-after-ms": "5" } }), fakeText("after the retry"))
      const reply = yield* ask(ChatModel.make(config(fake, { maxRetries: 1 })))
      assert.strictEqual(reply.content, "after the retry")
      expect(fake.requests).toHaveLength(2)
    }),
  )

  it.effect("gives up on a 500 after maxRetries with ModelFailure", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(
        fakeError(500, { headers: { "retry-after-ms": "5" } }),
        fakeError(503, { headers: { "retry-after-ms": "5" } }),
      )
      const error = yield* Effect.flip(ask(ChatModel.make(config(fake, { maxRetries: 1 }))))
      expect(error).toMatchObject({ _tag: "ModelFailure", status: 503 })
      expect(fake.requests).toHaveLength(2)
    }),
  )

  // The SDK times the request out on its own (real) timer, which the test clock does not hold back.
  it.effect("maps a timeout to ModelTimeout", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(delayed(2_000, fakeText("too late")))
      const started = Date.now()
      const error = yield* Effect.flip(ask(ChatModel.make(config(fake, { timeout: Duration.millis(150) }))))
      assert.strictEqual(error._tag, "ModelTimeout")
      expect(Date.now() - started).toBeLessThan(1_500)
    }),
  )

  it.effect("maps a malformed body and a body without choices to ModelFailure", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(fakeMalformed(), fakeMalformed('{"id":"x","object":"chat.completion","choices":[]}'))
      const model = ChatModel.make(config(fake))
      expect(yield* Effect.flip(ask(model))).toMatchObject({ _tag: "ModelFailure" })
      expect(yield* Effect.flip(ask(model))).toMatchObject({ _tag: "ModelFailure" })
    }),
  )

  it.effect("builds without a key and then fails every call with ChatNotConfigured, sending nothing", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      const model = yield* fromEnv({ OPENAI_BASE_URL: fake.baseUrl })
      assert.isFalse(model.configured)
      expect(yield* Effect.flip(ask(model))).toMatchObject({ _tag: "ChatNotConfigured" })
      const blank = ChatModel.make(config(fake, { apiKey: Option.some(Redacted.make("  ")) }))
      assert.isFalse(blank.configured)
      expect(fake.requests).toHaveLength(0)
    }),
  )

  it.effect("reads OPENAI_* from the environment", () =>
    Effect.gen(function* () {
      const fake = yield* freshFake
      fake.enqueue(fakeText("configured"))
      const model = yield* fromEnv({
        OPENAI_API_KEY: "sk-from-env",
        OPENAI_BASE_URL: fake.baseUrl,
        OPENAI_MODEL: "my-model",
        OPENAI_TIMEOUT: "2 seconds",
        OPENAI_MAX_RETRIES: "0",
      })
      assert.isTrue(model.configured)
      assert.strictEqual((yield* ask(model)).content, "configured")
      expect(fake.requests[0]!.model).toBe("my-model")
      expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-from-env")
    }),
  )
})
