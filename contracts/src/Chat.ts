import { Schema } from "effect"
import { Cursor, Limit, Page, Timestamp, TrimmedText, Uuid } from "./Common.ts"

/** One tool call the assistant made while answering: which tool, with what, what came of it, which tasks it touched. */
export const ChatAction = Schema.Struct({
  tool: Schema.String.annotateKey({ description: "The tool's name, e.g. `create_task`." }),
  arguments: Schema.Unknown.annotateKey({ description: "The arguments the model called it with (JSON)." }),
  result: Schema.String.annotateKey({ description: "What the tool answered, as the model saw it." }),
  ok: Schema.Boolean.annotateKey({ description: "Whether the call succeeded." }),
  taskIds: Schema.Array(Uuid).annotateKey({ description: "The tasks the call created or changed." }),
}).annotate({ title: "ChatAction", description: "A tool call the assistant made while answering." })
export type ChatAction = typeof ChatAction.Type

export const ChatRequest = Schema.Struct({
  conversationId: Schema.optionalKey(Uuid).annotateKey({
    description: "The conversation to continue; a new one starts when absent.",
  }),
  message: TrimmedText(4000).annotateKey({ description: "The user's message: 1–4000 characters, trimmed." }),
}).annotate({
  title: "ChatRequest",
  description: "A message to the assistant.",
  examples: [{ message: "Move everything due today to tomorrow" }],
})

export const ChatReply = Schema.Struct({
  conversationId: Uuid.annotateKey({ description: "The conversation the message and reply belong to." }),
  reply: Schema.String.annotateKey({ description: "The assistant's answer." }),
  actions: Schema.Array(ChatAction).annotateKey({
    description: "The tool calls made while answering, in order.",
  }),
}).annotate({ title: "ChatReply", description: "The assistant's answer and what it did." })
export type ChatReply = typeof ChatReply.Type

export const Conversation = Schema.Struct({
  id: Uuid.annotateKey({ description: "The conversation's id." }),
  title: Schema.String.annotateKey({ description: "A title taken from its first message." }),
  createdAt: Timestamp.annotateKey({ description: "When it started." }),
  updatedAt: Timestamp.annotateKey({ description: "When its last message was written." }),
}).annotate({ title: "Conversation", description: "A conversation with the assistant." })

export const ChatMessage = Schema.Struct({
  id: Uuid.annotateKey({ description: "The message's id." }),
  role: Schema.Literals(["user", "assistant"]).annotateKey({ description: "Who wrote it." }),
  content: Schema.String.annotateKey({ description: "What was written." }),
  actions: Schema.Array(ChatAction).annotateKey({
    description: "The assistant's tool calls for this message.",
  }),
  createdAt: Timestamp.annotateKey({ description: "When it was written." }),
}).annotate({ title: "ChatMessage", description: "One message of a conversation." })

export const ConversationPage = Page(Conversation).annotate({
  title: "ConversationPage",
  description: "A page of conversations, the latest first.",
})
export const ConversationDetail = Schema.Struct({
  conversation: Conversation.annotateKey({ description: "The conversation." }),
  messages: Schema.Array(ChatMessage).annotateKey({ description: "Its messages, oldest first." }),
}).annotate({ title: "ConversationDetail", description: "A conversation and its messages." })

export const ConversationParams = Schema.Struct({
  conversationId: Uuid.annotateKey({ description: "The conversation's id." }),
})
export const PageQuery = Schema.Struct({
  limit: Schema.optionalKey(Limit).annotateKey({ description: "Page size: 1–100, 50 when absent." }),
  cursor: Schema.optionalKey(Cursor).annotateKey({ description: "The previous page's `nextCursor`." }),
})
