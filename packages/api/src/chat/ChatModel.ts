import type OpenAI from "openai"
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions"
import { Config, Context, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { ChatNotConfigured, ModelFailure, ModelTimeout } from "./ChatErrors.ts"
import { ModelConfig } from "@todo/runtime"

/**
 * The language model behind the chat: any OpenAI-compatible chat-completions server, through the `openai` SDK.
 * Without `OPENAI_API_KEY` the layer still builds; every call then fails with `ChatNotConfigured` (a 503).
 */
export const ChatModelConfig = Config.all({
  ...ModelConfig,
  /** Per attempt; the SDK retries 429, 5xx, connection errors and timeouts up to `maxRetries` times. */
  timeout: Config.Duration("OPENAI_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
  maxRetries: Config.Int("OPENAI_MAX_RETRIES").pipe(Config.withDefault(2)),
})
export type ChatModelConfig = typeof ChatModelConfig extends Config.Config<infer A> ? A : never

export type ModelMessage = ChatCompletionMessageParam
export type ModelTool = ChatCompletionFunctionTool

/** A tool call as the model made it: the arguments are the model's raw JSON text, not yet trusted. */
export interface ModelToolCall {
  readonly id: string
  readonly name: string
  readonly arguments: string
}

/** The model's answer: text, tool calls, or both. */
export interface ModelReply {
  readonly content: string | null
  readonly toolCalls: ReadonlyArray<ModelToolCall>
}

/** The part of a chat completion we use, checked: a body without a first choice and message is a failure. */
const Completion = Schema.Struct({
  choices: Schema.NonEmptyArray(
    Schema.Struct({
      message: Schema.Struct({
        content: Schema.optional(Schema.NullOr(Schema.String)),
        tool_calls: Schema.optional(
          Schema.NullOr(
            Schema.Array(
              Schema.Struct({
                id: Schema.String,
                type: Schema.Literal("function"),
                function: Schema.Struct({ name: Schema.String, arguments: Schema.String }),
              }),
            ),
          ),
        ),
      }),
    }),
  ),
})
const decodeCompletion = Schema.decodeUnknownEffect(Completion)

/** The SDK, loaded on the first model call: a service that never chats never pays its ~35 MB. */
type Sdk = typeof import("openai")
let sdkPromise: Promise<Sdk> | undefined
const loadSdk = () => {
  sdkPromise ??= import("openai")
  return sdkPromise
}

const toModelError = (sdk: Sdk, cause: unknown): ModelTimeout | ModelFailure => {
  const { APIConnectionError, APIConnectionTimeoutError, APIError } = sdk
  if (cause instanceof APIConnectionTimeoutError) {
    return new ModelTimeout({ message: "the model did not answer in time" })
  }
  if (cause instanceof APIError && cause.status !== undefined) {
    return new ModelFailure({ message: `the model answered HTTP ${cause.status}`, status: cause.status })
  }
  if (cause instanceof APIConnectionError)
    return new ModelFailure({ message: "the model could not be reached" })
  return new ModelFailure({
    message: `the model's answer could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
  })
}

export class ChatModel extends Context.Service<
  ChatModel,
  {
    /** Whether an API key is set; without one, `complete` fails with ChatNotConfigured. */
    readonly configured: boolean
    readonly complete: (request: {
      readonly messages: ReadonlyArray<ModelMessage>
      readonly tools: ReadonlyArray<ModelTool>
    }) => Effect.Effect<ModelReply, ChatNotConfigured | ModelTimeout | ModelFailure>
  }
>()("@todo/api/ChatModel") {
  /** The model for a given configuration (tests build it directly). */
  static readonly make = (config: ChatModelConfig): ChatModel["Service"] => {
    const key = Option.filter(config.apiKey, (k) => Redacted.value(k).trim() !== "")
    if (Option.isNone(key)) {
      return ChatModel.of({ configured: false, complete: () => Effect.fail(new ChatNotConfigured()) })
    }
    let client: OpenAI | undefined
    const connect = Effect.promise(async () => {
      const sdk = await loadSdk()
      client ??= new sdk.default({
        apiKey: Redacted.value(key.value),
        ...(Option.isSome(config.baseUrl) ? { baseURL: config.baseUrl.value } : {}),
        timeout: Duration.toMillis(config.timeout),
        maxRetries: config.maxRetries,
      })
      return { sdk, client }
    })
    const complete = Effect.fn("ChatModel.complete")(function* (request: {
      readonly messages: ReadonlyArray<ModelMessage>
      readonly tools: ReadonlyArray<ModelTool>
    }) {
      yield* Effect.annotateCurrentSpan({ "gen_ai.request.model": config.model })
      const { sdk, client } = yield* connect
      const raw = yield* Effect.tryPromise({
        try: (signal) =>
          client.chat.completions.create(
            {
              model: config.model,
              messages: [...request.messages],
              ...(request.tools.length > 0
                ? { tools: [...request.tools], tool_choice: "auto" as const }
                : {}),
            },
            { signal },
          ),
        catch: (cause) => toModelError(sdk, cause),
      })
      const completion = yield* decodeCompletion(raw).pipe(
        Effect.mapError(
          (e) => new ModelFailure({ message: `the model's answer is not a chat completion: ${e.message}` }),
        ),
      )
      const message = completion.choices[0].message
      return {
        content: message.content ?? null,
        toolCalls: (message.tool_calls ?? []).map((c) => ({
          id: c.id,
          name: c.function.name,
          arguments: c.function.arguments,
        })),
      } satisfies ModelReply
    })
    return ChatModel.of({ configured: true, complete })
  }

  static readonly layer = Layer.effect(
    ChatModel,
    Effect.gen(function* () {
      const model = ChatModel.make(yield* ChatModelConfig)
      // Said once here; each chat call then answers 503 without an error log of its own.
      if (!model.configured) yield* Effect.logInfo("chat is off: set OPENAI_API_KEY to turn it on")
      return model
    }),
  )
}
