import type { ChatAction } from "@todo/contracts"
import { decodeCursor, type InvalidCursor, MillisInstant, pageOf, UuidId } from "@todo/core"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export interface Conversation {
  readonly id: string
  readonly title: string
  readonly createdAt: string
  readonly updatedAt: string
}

export interface StoredMessage {
  readonly id: string
  readonly role: "user" | "assistant"
  readonly content: string
  readonly actions: ReadonlyArray<ChatAction>
  /** Tasks the assistant asked to confirm deleting (assistant messages only). */
  readonly pendingDeletion: ReadonlyArray<string>
  readonly createdAt: string
}

export interface NewMessage {
  readonly id: string
  readonly conversationId: string
  readonly userId: string
  readonly role: "user" | "assistant"
  readonly content: string
  readonly actions: ReadonlyArray<ChatAction>
  readonly pendingDeletion: ReadonlyArray<string>
  readonly at: Date
}

interface ConversationRow {
  readonly id: string
  readonly title: string
  readonly created_at: Date
  readonly updated_at: Date
}

interface MessageRow {
  readonly id: string
  readonly role: "user" | "assistant"
  readonly content: string
  readonly actions: unknown
  readonly pending_deletion: ReadonlyArray<string> | string
  readonly created_at: Date
}

const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
})

/** jsonb comes back parsed (or as text, depending on the driver's type parsers): read it either way. */
const StoredActions = Schema.Array(
  Schema.Struct({
    tool: Schema.String,
    arguments: Schema.Unknown,
    result: Schema.String,
    ok: Schema.Boolean,
    taskIds: Schema.Array(Schema.String),
  }),
)
const decodeActions = Schema.decodeUnknownSync(StoredActions)

/** `{a,b}` when the driver does not parse uuid[] (it normally does). */
const uuidArray = (value: ReadonlyArray<string> | string): ReadonlyArray<string> =>
  typeof value === "string"
    ? value
        .replace(/^\{|\}$/g, "")
        .split(",")
        .filter((s) => s !== "")
    : value

const toMessage = (row: MessageRow): StoredMessage => ({
  id: row.id,
  role: row.role,
  content: row.content,
  actions: decodeActions(typeof row.actions === "string" ? JSON.parse(row.actions) : row.actions),
  pendingDeletion: uuidArray(row.pending_deletion),
  createdAt: row.created_at.toISOString(),
})

const PAGE_SIGNATURE = "conversations:updatedAt"

/** Conversations and their messages, always scoped to their user. */
export class ConversationRepo extends Context.Service<
  ConversationRepo,
  {
    readonly create: (
      userId: string,
      conversation: { readonly id: string; readonly title: string; readonly at: Date },
    ) => Effect.Effect<Conversation, SqlError>
    readonly find: (userId: string, id: string) => Effect.Effect<Option.Option<Conversation>, SqlError>
    readonly list: (
      userId: string,
      page: { readonly limit?: number; readonly cursor?: string },
    ) => Effect.Effect<
      { items: ReadonlyArray<Conversation>; nextCursor: string | null },
      SqlError | InvalidCursor
    >
    readonly remove: (userId: string, id: string) => Effect.Effect<boolean, SqlError>
    /** Every message of a conversation, oldest first. */
    readonly messages: (
      userId: string,
      conversationId: string,
    ) => Effect.Effect<ReadonlyArray<StoredMessage>, SqlError>
    /** The last `count` messages of a conversation, oldest first. */
    readonly recent: (
      userId: string,
      conversationId: string,
      count: number,
    ) => Effect.Effect<ReadonlyArray<StoredMessage>, SqlError>
    /** Appends a message and moves the conversation's `updatedAt`. */
    readonly append: (message: NewMessage) => Effect.Effect<void, SqlError>
  }
>()("@todo/api/ConversationRepo") {
  static readonly layer = Layer.effect(
    ConversationRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient

      const create = Effect.fn("ConversationRepo.create")(function* (
        userId: string,
        c: { readonly id: string; readonly title: string; readonly at: Date },
      ) {
        const [row] = yield* sql<ConversationRow>`
          INSERT INTO conversations (id, user_id, title, created_at, updated_at)
          VALUES (${c.id}, ${userId}, ${c.title}, ${c.at}, ${c.at})
          RETURNING id, title, created_at, updated_at`
        return toConversation(row!)
      })

      const find = Effect.fn("ConversationRepo.find")(function* (userId: string, id: string) {
        const rows = yield* sql<ConversationRow>`
          SELECT id, title, created_at, updated_at FROM conversations WHERE id = ${id} AND user_id = ${userId}`
        return Option.map(Option.fromNullishOr(rows[0]), toConversation)
      })

      const list = Effect.fn("ConversationRepo.list")(function* (
        userId: string,
        page: { readonly limit?: number; readonly cursor?: string },
      ) {
        const limit = page.limit ?? 50
        let after = sql``
        if (page.cursor !== undefined) {
          const c = yield* decodeCursor(page.cursor, {
            signature: PAGE_SIGNATURE,
            value: MillisInstant,
            id: UuidId,
          })
          after = sql`AND (updated_at, id) < (${c.v}::timestamptz, ${c.id}::uuid)`
        }
        const rows = yield* sql<ConversationRow>`
          SELECT id, title, created_at, updated_at FROM conversations
          WHERE user_id = ${userId} ${after}
          ORDER BY updated_at DESC, id DESC LIMIT ${limit + 1}`
        return yield* pageOf(rows, limit, PAGE_SIGNATURE, (r) => r.updated_at.toISOString(), toConversation)
      })

      const remove = Effect.fn("ConversationRepo.remove")(function* (userId: string, id: string) {
        const rows =
          yield* sql`DELETE FROM conversations WHERE id = ${id} AND user_id = ${userId} RETURNING id`
        return rows.length > 0
      })

      const messages = Effect.fn("ConversationRepo.messages")(function* (
        userId: string,
        conversationId: string,
      ) {
        const rows = yield* sql<MessageRow>`
          SELECT id, role, content, actions, pending_deletion, created_at FROM chat_messages
          WHERE conversation_id = ${conversationId} AND user_id = ${userId}
          ORDER BY seq`
        return rows.map(toMessage)
      })

      const recent = Effect.fn("ConversationRepo.recent")(function* (
        userId: string,
        conversationId: string,
        count: number,
      ) {
        const rows = yield* sql<MessageRow>`
          SELECT id, role, content, actions, pending_deletion, created_at FROM (
            SELECT id, role, content, actions, pending_deletion, created_at, seq FROM chat_messages
            WHERE conversation_id = ${conversationId} AND user_id = ${userId}
            ORDER BY seq DESC LIMIT ${count}
          ) m ORDER BY seq`
        return rows.map(toMessage)
      })

      const append = Effect.fn("ConversationRepo.append")(function* (m: NewMessage) {
        yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`
              INSERT INTO chat_messages (id, conversation_id, user_id, role, content, actions, pending_deletion, created_at)
              VALUES (${m.id}, ${m.conversationId}, ${m.userId}, ${m.role}, ${m.content},
                      ${JSON.stringify(m.actions)}::jsonb, ${m.pendingDeletion as Array<string>}::uuid[], ${m.at})`
            yield* sql`
              UPDATE conversations SET updated_at = greatest(updated_at, ${m.at})
              WHERE id = ${m.conversationId} AND user_id = ${m.userId}`
          }),
        )
      })

      return ConversationRepo.of({ create, find, list, remove, messages, recent, append })
    }),
  )
}
