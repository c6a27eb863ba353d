import { randomUUID } from "node:crypto"
import type { ChatAction, ChatReply } from "@todo/contracts"
import { type InvalidCursor, UserSettings } from "@todo/core"
import { SuggestionService, TaskService } from "@todo/core/tasks"
import { Clock, Context, Effect, Layer, Option } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import {
  ChatNotConfigured,
  ConversationNotFound,
  type ModelFailure,
  type ModelTimeout,
} from "./ChatErrors.ts"
import { ChatModel, type ModelMessage } from "./ChatModel.ts"
import { ChatTools, type ToolOutcome } from "./ChatTools.ts"
import { type Conversation, ConversationRepo, type StoredMessage } from "./ConversationRepo.ts"
import { decideDeletions, initialDeletionState, recordDeletions } from "./DeletionPolicy.ts"
import { systemPrompt } from "./Prompt.ts"

/** Stored messages sent back to the model with each new one (the conversation's latest, user turn first). */
export const HISTORY_WINDOW = 20
/** Model responses with tool calls that are carried out per user message; then the chat stops and says so. */
export const MAX_TOOL_ROUNDS = 8
const TITLE_LENGTH = 80

export const roundLimitReply = (actions: number) =>
  `I stopped after ${MAX_TOOL_ROUNDS} rounds of tool calls without finishing, so your request may be only partly done. ` +
  `${actions === 1 ? "The 1 action" : `The ${actions} actions`} listed with this reply did run; please check them, then rephrase or split the request.`

const EMPTY_REPLY = "(The assistant gave no answer.)"

const titleOf = (message: string) => {
  const line = message.split("\n")[0]!.trim()
  return line.length <= TITLE_LENGTH ? line : `${line.slice(0, TITLE_LENGTH - 1)}…`
}

/**
 * The stored window as model messages. An assistant turn is replayed with its actions as tool calls and their
 * answers as tool messages (so the model sees which ids it touched or proposed), then its reply. The window starts
 * at a user message.
 */
export const replayHistory = (history: ReadonlyArray<StoredMessage>): Array<ModelMessage> => {
  const start = history.findIndex((m) => m.role === "user")
  if (start < 0) return []
  return history.slice(start).flatMap((m): Array<ModelMessage> => {
    if (m.role === "user") return [{ role: "user", content: m.content }]
    const ids = m.actions.map((_, j) => `hist_${m.id.slice(0, 8)}_${j}`)
    const calls: Array<ModelMessage> =
      m.actions.length === 0
        ? []
        : [
            {
              role: "assistant",
              content: null,
              tool_calls: m.actions.map((a, j) => ({
                id: ids[j]!,
                type: "function" as const,
                function: {
                  name: a.tool,
                  arguments:
                    typeof a.arguments === "string" ? a.arguments : JSON.stringify(a.arguments ?? {}),
                },
              })),
            },
            ...m.actions.map(
              (a, j): ModelMessage => ({
                role: "tool",
                tool_call_id: ids[j]!,
                content: JSON.stringify({ ok: a.ok, result: a.result, taskIds: a.taskIds }),
              }),
            ),
          ]
    return [...calls, { role: "assistant", content: m.content }]
  })
}

const failureNote = (error: ModelTimeout | ModelFailure) =>
  error._tag === "ModelTimeout"
    ? "(The language model did not answer in time; nothing more was done.)"
    : "(The language model failed to answer; nothing more was done.)"

export type SendError = ChatNotConfigured | ModelTimeout | ModelFailure | ConversationNotFound | SqlError

/**
 * The chat assistant: a user's message goes to the model with the recent history, the model's tool calls run
 * through the same services as the API (as actor "chat"), their answers go back as tool messages, until the model
 * answers in text or the round limit is reached. The turn is stored: the user's message before the model is asked,
 * the reply (or a note of the failure) with its actions after.
 */
export class ChatService extends Context.Service<
  ChatService,
  {
    readonly send: (
      userId: string,
      request: { readonly conversationId?: string; readonly message: string },
    ) => Effect.Effect<ChatReply, SendError>
    readonly list: (
      userId: string,
      page: { readonly limit?: number; readonly cursor?: string },
    ) => Effect.Effect<
      { items: ReadonlyArray<Conversation>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly get: (
      userId: string,
      conversationId: string,
    ) => Effect.Effect<
      {
        conversation: Conversation
        messages: ReadonlyArray<Omit<StoredMessage, "pendingDeletion">>
      },
      SqlError | ConversationNotFound
    >
    readonly remove: (
      userId: string,
      conversationId: string,
    ) => Effect.Effect<void, SqlError | ConversationNotFound>
  }
>()("@todo/api/ChatService") {
  /** The service over whichever model, tools, repository and settings are provided (tests swap them). */
  static readonly layerNoDeps = Layer.effect(
    ChatService,
    Effect.gen(function* () {
      const model = yield* ChatModel
      const tools = yield* ChatTools
      const repo = yield* ConversationRepo
      const settings = yield* UserSettings

      const send = Effect.fn("ChatService.send")(function* (
        userId: string,
        request: { readonly conversationId?: string; readonly message: string },
      ) {
        if (!model.configured) return yield* new ChatNotConfigured()
        const now = yield* Clock.currentTimeMillis
        const at = new Date(now)
        const { timezone } = yield* settings.get(userId)

        let conversationId: string
        let history: ReadonlyArray<StoredMessage> = []
        if (request.conversationId !== undefined) {
          const found = yield* repo.find(userId, request.conversationId)
          if (Option.isNone(found)) {
            return yield* new ConversationNotFound({ conversationId: request.conversationId })
          }
          conversationId = found.value.id
          history = yield* repo.recent(userId, conversationId, HISTORY_WINDOW)
        } else {
          conversationId = randomUUID()
          yield* repo.create(userId, { id: conversationId, title: titleOf(request.message), at })
        }
        yield* Effect.annotateCurrentSpan({ "chat.conversation_id": conversationId })

        // A deletion proposal is confirmable only by the message right after the reply that made it.
        const previous = history[history.length - 1]
        let deletion = initialDeletionState(
          request.message,
          previous?.role === "assistant" ? previous.pendingDeletion : [],
        )
        yield* repo.append({
          id: randomUUID(),
          conversationId,
          userId,
          role: "user",
          content: request.message,
          actions: [],
          pendingDeletion: [],
          at,
        })

        const messages: Array<ModelMessage> = [
          { role: "system", content: systemPrompt({ now, timezone }) },
          ...replayHistory(history),
          { role: "user", content: request.message },
        ]
        const actions: Array<ChatAction> = []
        const proposed: Array<string> = []

        const converse = Effect.gen(function* () {
          for (let round = 1; ; round++) {
            const reply = yield* model.complete({ messages, tools: tools.definitions })
            if (reply.toolCalls.length === 0) return reply.content?.trim() ? reply.content : EMPTY_REPLY
            messages.push({
              role: "assistant",
              content: reply.content,
              tool_calls: reply.toolCalls.map((c) => ({
                id: c.id,
                type: "function" as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            })
            const checked = reply.toolCalls.map((call) => ({
              call,
              check: tools.check(call.name, call.arguments),
            }))
            const decision = decideDeletions(
              deletion,
              checked.flatMap(({ check }) =>
                check._tag === "Valid" && check.deletes !== undefined ? [check.deletes] : [],
              ),
            )
            const deleted: Array<string> = []
            for (const { call, check } of checked) {
              let outcome: ToolOutcome
              if (check._tag === "Invalid") {
                outcome = check.outcome
              } else if (check.deletes !== undefined && decision.refused.has(check.deletes)) {
                const refusal = yield* tools.refuseDeletion(userId, check.deletes)
                if (refusal.exists && !proposed.includes(check.deletes)) proposed.push(check.deletes)
                outcome = refusal
              } else {
                outcome = yield* check.run(userId)
                if (check.deletes !== undefined && outcome.ok) deleted.push(check.deletes)
              }
              actions.push({
                tool: call.name,
                arguments: check.arguments,
                result: outcome.summary,
                ok: outcome.ok,
                taskIds: [...outcome.taskIds],
              })
              messages.push({
                role: "tool",
                tool_call_id: call.id,
                content: JSON.stringify(outcome.forModel),
              })
            }
            deletion = recordDeletions(deletion, decision, deleted)
            if (round >= MAX_TOOL_ROUNDS) return roundLimitReply(actions.length)
          }
        })

        const store = (content: string) =>
          Effect.gen(function* () {
            yield* repo.append({
              id: randomUUID(),
              conversationId,
              userId,
              role: "assistant",
              content,
              actions,
              pendingDeletion: proposed,
              at: new Date(yield* Clock.currentTimeMillis),
            })
          })

        const reply = yield* converse.pipe(
          Effect.tapError((error) =>
            error._tag === "ModelTimeout" || error._tag === "ModelFailure"
              ? store(failureNote(error))
              : Effect.void,
          ),
        )
        yield* store(reply)
        return { conversationId, reply, actions } satisfies ChatReply
      })

      const list = (userId: string, page: { readonly limit?: number; readonly cursor?: string }) =>
        repo.list(userId, page)

      const get = Effect.fn("ChatService.get")(function* (userId: string, conversationId: string) {
        const conversation = yield* repo.find(userId, conversationId)
        if (Option.isNone(conversation)) return yield* new ConversationNotFound({ conversationId })
        const messages = yield* repo.messages(userId, conversationId)
        return {
          conversation: conversation.value,
          messages: messages.map(({ pendingDeletion: _, ...m }) => m),
        }
      })

      const remove = Effect.fn("ChatService.remove")(function* (userId: string, conversationId: string) {
        const removed = yield* repo.remove(userId, conversationId)
        if (!removed) return yield* new ConversationNotFound({ conversationId })
      })

      return ChatService.of({ send, list, get, remove })
    }),
  )

  /** The service with its model (from the environment), tools, repository and settings. */
  static readonly layer = ChatService.layerNoDeps.pipe(
    Layer.provide([
      ChatModel.layer,
      ChatTools.layer.pipe(Layer.provide([TaskService.layer, SuggestionService.layer])),
      ConversationRepo.layer,
      UserSettings.layer,
    ]),
  )
}
