import { type HttpMeaning, meaning } from "@todo/runtime"
import { Schema } from "effect"

/** No `OPENAI_API_KEY`: the chat routes answer 503, everything else works. */
export class ChatNotConfigured extends Schema.TaggedError<ChatNotConfigured>()("ChatNotConfigured", {}) {
  get httpMeaning(): HttpMeaning<503> {
    // Said once at start-up (ChatModel); every call would otherwise log an error for a feature that is off.
    return meaning(503, "chat-not-configured", "chat is not configured: set OPENAI_API_KEY", {
      quiet: true,
    })
  }
}

/** The model did not answer within `OPENAI_TIMEOUT` (after the SDK's retries): 504. */
export class ModelTimeout extends Schema.TaggedError<ModelTimeout>()("ModelTimeout", {
  message: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<504> {
    return meaning(504, "model-timeout", "The language model did not answer in time.")
  }
}

/** The model answered with an error (after retries), an unreadable body, or no choice at all: 502. */
export class ModelFailure extends Schema.TaggedError<ModelFailure>()("ModelFailure", {
  message: Schema.String,
  status: Schema.optionalKey(Schema.Number),
}) {
  get httpMeaning(): HttpMeaning<502> {
    return meaning(502, "model-failure", "The language model failed to answer.")
  }
}

/** The conversation does not exist for this user (another user's is indistinguishable from a missing one). */
export class ConversationNotFound extends Schema.TaggedError<ConversationNotFound>()("ConversationNotFound", {
  conversationId: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<404> {
    return meaning(404, "conversation-not-found", "No such conversation.")
  }
}
