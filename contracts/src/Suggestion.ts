import { Schema } from "effect"
import { Cursor, Instant, Limit, Page, Timestamp, Uuid } from "./Common.ts"
import { Priority } from "./Task.ts"

export const SuggestionType = Schema.Literals(["overdue", "priority", "reminder"]).annotate({
  title: "SuggestionType",
  description: "Which agent made it: a new due date for an overdue task, a new priority, or a reminder.",
})
export type SuggestionType = typeof SuggestionType.Type

export const SuggestionStatus = Schema.Literals(["pending", "accepted", "dismissed"]).annotate({
  title: "SuggestionStatus",
  description: "Whether the user has acted on it yet.",
})
export type SuggestionStatus = typeof SuggestionStatus.Type

/** What accepting the suggestion would change on the task: a new due date, a new priority, or both. */
export const ProposedChange = Schema.Struct({
  dueDate: Schema.optionalKey(Schema.NullOr(Instant)).annotateKey({
    description: "The new due date; null to clear it.",
  }),
  priority: Schema.optionalKey(Priority).annotateKey({ description: "The new priority." }),
}).annotate({ title: "ProposedChange", description: "What accepting the suggestion changes on the task." })
export type ProposedChange = typeof ProposedChange.Type

/** Where a suggestion came from: the event type that triggered it, or `schedule` for a sweep. */
export const SuggestionSource = Schema.String.annotate({
  title: "SuggestionSource",
  description: "An event type such as tasks.created, or schedule",
})

export const Suggestion = Schema.Struct({
  id: Uuid.annotateKey({ description: "The suggestion's id." }),
  taskId: Uuid.annotateKey({ description: "The task it is about." }),
  type: SuggestionType.annotateKey({ description: "Which agent made it." }),
  message: Schema.String.annotateKey({ description: "The agent's reason, for the user." }),
  proposedChange: ProposedChange.annotateKey({ description: "What accepting it changes." }),
  status: SuggestionStatus.annotateKey({ description: "Pending until the user accepts or dismisses it." }),
  sourceEvent: SuggestionSource.annotateKey({ description: "What made the agent suggest it." }),
  correlationId: Schema.NullOr(Schema.String).annotateKey({
    description: "The correlation id of the request or sweep it came from, for tracing; null when unknown.",
  }),
  createdAt: Timestamp.annotateKey({ description: "When it was made." }),
}).annotate({
  title: "Suggestion",
  description: "An agent's proposed change to a task, for the user to decide on.",
})
export type Suggestion = typeof Suggestion.Type

export const ListSuggestionsQuery = Schema.Struct({
  status: Schema.optionalKey(Schema.Literals(["pending", "accepted", "dismissed", "all"])).annotateKey({
    description: "Only suggestions in this state; pending when absent.",
  }),
  taskId: Schema.optionalKey(Uuid).annotateKey({ description: "Only the suggestions for this task." }),
  limit: Schema.optionalKey(Limit).annotateKey({ description: "Page size: 1–100, 50 when absent." }),
  cursor: Schema.optionalKey(Cursor).annotateKey({ description: "The previous page's `nextCursor`." }),
})
export type ListSuggestionsQuery = typeof ListSuggestionsQuery.Type

export const SuggestionPage = Page(Suggestion).annotate({
  title: "SuggestionPage",
  description: "A page of suggestions, the newest first.",
})

export const SuggestionIdParams = Schema.Struct({
  id: Uuid.annotateKey({ description: "The resource's id." }),
})
