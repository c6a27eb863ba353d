import { Schema } from "effect"

/** No `OPENAI_API_KEY`: the chat routes answer 503, everything else works. */
export class ChatNotConfigured extends Schema.TaggedError<ChatNotConfigured>()("ChatNotConfigured", {}) {}

/** The model did not answer within `OPENAI_TIMEOUT` (after the SDK's retries): 504. */
export class ModelTimeout extends Schema.TaggedError<ModelTimeout>()("ModelTimeout", {
  message: Schema.String,
}) {}

/** The model answered with an error (after retries), an unreadable body, or no choice at all: 502. */
export class ModelFailure extends Schema.TaggedError<ModelFailure>()("ModelFailure", {
  message: Schema.String,
  status: Schema.optionalKey(Schema.Number),
}) {}

/** The conversation does not exist for this user (another user's is indistinguishable from a missing one). */
export class ConversationNotFound extends Schema.TaggedError<ConversationNotFound>()("ConversationNotFound", {
  conversationId: Schema.String,
}) {}
