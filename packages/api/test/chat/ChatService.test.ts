import { assert, describe, it } from "@effect/vitest"
import { UserSettings } from "@todo/core"
import { SuggestionService, TaskService } from "@todo/core/tasks"
import { fakeText, type OpenAiFake, startOpenAiFake } from "@todo/testkit"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { ChatModel } from "../../src/chat/ChatModel.ts"
import { ChatService, HISTORY_WINDOW } from "../../src/chat/ChatService.ts"
import { ChatTools } from "../../src/chat/ChatTools.ts"
import {
  type Conversation,
  ConversationRepo,
  type NewMessage,
  type StoredMessage,
} from "../../src/chat/ConversationRepo.ts"

/**
 * The service's loop with the real model client (against the fake) and tools, over an in-memory conversation
 * store and a fixed clock: what the model is sent, independent of the database.
 */

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

const USER = "6a1f0e55-0000-4000-8000-000000000001"
const conversations = new Map<string, Conversation>()
const stored = new Map<string, Array<StoredMessage>>()

const MemoryRepo = Layer.succeed(
  ConversationRepo,
  ConversationRepo.of({
    create: (_userId, c) =>
      Effect.sync(() => {
        const conversation = {
          id: c.id,
          title: c.title,
          createdAt: c.at.toISOString(),
          updatedAt: c.at.toISOString(),
        }
        conversations.set(c.id, conversation)
        stored.set(c.id, [])
        return conversation
      }),
    find: (_userId, id) => Effect.succeed(Option.fromNullishOr(conversations.get(id))),
    list: () => Effect.succeed({ items: [...conversations.values()], nextCursor: null }),
    remove: (_userId, id) => Effect.succeed(conversations.delete(id)),
    messages: (_userId, id) => Effect.succeed(stored.get(id) ?? []),
    recent: (_userId, id, count) => Effect.succeed((stored.get(id) ?? []).slice(-count)),
    append: (m: NewMessage) =>
      Effect.sync(() => {
        stored.get(m.conversationId)!.push({
          id: m.id,
          role: m.role,
          content: m.content,
          actions: m.actions,
          pendingDeletion: m.pendingDeletion,
          createdAt: m.at.toISOString(),
        })
      }),
  }),
)

const ServiceUnderTest = Layer.unwrap(
  Effect.sync(() =>
    ChatService.layerNoDeps.pipe(
      Layer.provide([
        Layer.succeed(
          ChatModel,
          ChatModel.make({
            apiKey: Option.some(Redacted.make("sk-test")),
            baseUrl: Option.some(fake.baseUrl),
            model: "gpt-test",
            timeout: Duration.seconds(5),
            maxRetries: 0,
          }),
        ),
        ChatTools.layer.pipe(
          Layer.provide([
            // Nothing here calls a tool: any call into the services dies as unimplemented.
            Layer.mock(TaskService, {}),
            Layer.mock(SuggestionService, {}),
          ]),
        ),
        MemoryRepo,
        Layer.succeed(
          UserSettings,
          UserSettings.of({
            get: () => Effect.succeed({ timezone: "Asia/Kolkata", agentsEnabled: true }),
            put: (_userId, s) => Effect.succeed(s),
            checkZone: () => undefined,
          }),
        ),
      ]),
    ),
  ),
)

const send = (message: string, conversationId?: string) =>
  Effect.gen(function* () {
    const chat = yield* ChatService
    return yield* chat.send(USER, conversationId === undefined ? { message } : { conversationId, message })
  }).pipe(Effect.provide(ServiceUnderTest))

describe("ChatService", () => {
  it.effect("puts the user's now, from Effect's Clock, in their time zone into the system prompt", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 2, 10, 20, 30, 0))
      fake.enqueue(fakeText("Hi!"))
      const reply = yield* send("hello")
      assert.strictEqual(reply.reply, "Hi!")
      assert.deepStrictEqual(reply.actions, [])
      const [system, user] = fake.requests[0]!.messages
      assert.strictEqual(system!.role, "system")
      assert.include(
        String(system!.content),
        "it is now Wednesday 2026-03-11 02:00 in the user's time zone, Asia/Kolkata (UTC+05:30)",
      )
      assert.deepStrictEqual(user, { role: "user", content: "hello" })
      // The turn is stored, stamped with the same clock.
      const messages = stored.get(reply.conversationId)!
      assert.deepStrictEqual(
        messages.map((m) => [m.role, m.content, m.createdAt]),
        [
          ["user", "hello", "2026-03-10T20:30:00.000Z"],
          ["assistant", "Hi!", "2026-03-10T20:30:00.000Z"],
        ],
      )
      assert.strictEqual(conversations.get(reply.conversationId)!.title, "hello")
    }),
  )

  it.effect(`sends the last ${HISTORY_WINDOW} stored messages, starting at a user message`, () =>
    Effect.gen(function* () {
      fake.enqueue(fakeText("first"))
      const { conversationId } = yield* send("message 0")
      // 31 messages in all: 0 (user), 1 (assistant), ..., 30 (user).
      const messages = stored.get(conversationId)!
      messages.length = 0
      for (let i = 0; i <= 30; i++) {
        messages.push({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          role: i % 2 === 0 ? "user" : "assistant",
          content: `message ${i}`,
          actions: [],
          pendingDeletion: [],
          createdAt: new Date(0).toISOString(),
        })
      }
      fake.enqueue(fakeText("ok"))
      yield* send("message 31", conversationId)
      const sent = fake.requests[1]!.messages
      // The window is messages 11..30; 11 is the assistant's, so it starts at 12.
      assert.deepStrictEqual(
        sent.slice(1).map((m) => m.content),
        Array.from({ length: 20 }, (_, k) => `message ${k + 12}`),
      )
      assert.strictEqual(sent.length, 1 + 19 + 1)
    }),
  )

  it.effect("replays an earlier turn's actions as tool calls and tool results", () =>
    Effect.gen(function* () {
      fake.enqueue(fakeText("first"))
      const { conversationId } = yield* send("make a task")
      const messages = stored.get(conversationId)!
      messages[1] = {
        ...messages[1]!,
        actions: [
          {
            tool: "create_task",
            arguments: { title: "Milk" },
            result: 'Created task "Milk".',
            ok: true,
            taskIds: ["3f2b8c1e-8f5e-4a9a-9a43-2b0a0b6d1f11"],
          },
        ],
      }
      fake.enqueue(fakeText("ok"))
      yield* send("thanks", conversationId)
      const sent = fake.requests[1]!.messages.slice(1)
      assert.deepStrictEqual(
        sent.map((m) => m.role),
        ["user", "assistant", "tool", "assistant", "user"],
      )
      const call = sent[1]!.tool_calls![0]!
      assert.deepStrictEqual(call.function, { name: "create_task", arguments: '{"title":"Milk"}' })
      assert.strictEqual(sent[2]!.tool_call_id, call.id)
      assert.deepStrictEqual(JSON.parse(String(sent[2]!.content)), {
        ok: true,
        result: 'Created task "Milk".',
        taskIds: ["3f2b8c1e-8f5e-4a9a-9a43-2b0a0b6d1f11"],
      })
      assert.deepStrictEqual(sent[3], { role: "assistant", content: "first" })
    }),
  )
})
