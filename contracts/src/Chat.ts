import { Schema } from "effect"
import { Cursor, Limit, Page, TrimmedText, Uuid } from "./Common.ts"

/** One tool call the assistant made while answering: which tool, with what, what came of it, which tasks it touched. */
export const ChatAction = Schema.Struct({
  tool: Schema.String,
  arguments: Schema.Unknown,
  result: Schema.String,
  ok: Schema.Boolean,
  taskIds: Schema.Array(Uuid),
}).annotate({ title: "ChatAction" })
export type ChatAction = typeof ChatAction.Type

export const ChatRequest = Schema.Struct({
  conversationId: Schema.optionalKey(Uuid),
  message: TrimmedText.check(Schema.isMinLength(1), Schema.isMaxLength(4000)),
}).annotate({ title: "ChatRequest" })

export const ChatReply = Schema.Struct({
  conversationId: Uuid,
  reply: Schema.String,
  actions: Schema.Array(ChatAction),
}).annotate({ title: "ChatReply" })
export type ChatReply = typeof ChatReply.Type

export const Conversation = Schema.Struct({
  id: Uuid,
  title: Schema.String,
  createdAt: Schema.String,
  updatedAt: Schema.String,
}).annotate({ title: "Conversation" })

export const ChatMessage = Schema.Struct({
  id: Uuid,
  role: Schema.Literals(["user", "assistant"]),
  content: Schema.String,
  actions: Schema.Array(ChatAction),
  createdAt: Schema.String,
}).annotate({ title: "ChatMessage" })

export const ConversationPage = Page(Conversation).annotate({ title: "ConversationPage" })
export const ConversationDetail = Schema.Struct({
  conversation: Conversation,
  messages: Schema.Array(ChatMessage),
}).annotate({ title: "ConversationDetail" })

export const ConversationParams = Schema.Struct({ conversationId: Uuid })
export const PageQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor),
}).annotate({ title: "PageQuery" })
