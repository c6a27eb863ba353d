import { Schema } from "effect"
import { Cursor, Instant, Limit, Page, Uuid } from "./Common.ts"
import { Priority } from "./Task.ts"

export const SuggestionType = Schema.Literals(["overdue", "priority", "reminder"]).annotate({
  title: "SuggestionType",
})
export type SuggestionType = typeof SuggestionType.Type

export const SuggestionStatus = Schema.Literals(["pending", "accepted", "dismissed"]).annotate({
  title: "SuggestionStatus",
})
export type SuggestionStatus = typeof SuggestionStatus.Type

/** What accepting the suggestion would change on the task: a new due date, a new priority, or both. */
export const ProposedChange = Schema.Struct({
  dueDate: Schema.optionalKey(Schema.NullOr(Instant)),
  priority: Schema.optionalKey(Priority),
}).annotate({ title: "ProposedChange" })
export type ProposedChange = typeof ProposedChange.Type

/** Where a suggestion came from: the event type that triggered it, or `schedule` for a sweep. */
export const SuggestionSource = Schema.String.annotate({
  title: "SuggestionSource",
  description: "An event type such as tasks.created, or schedule",
})

export const Suggestion = Schema.Struct({
  id: Uuid,
  taskId: Uuid,
  type: SuggestionType,
  message: Schema.String,
  proposedChange: ProposedChange,
  status: SuggestionStatus,
  sourceEvent: SuggestionSource,
  correlationId: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
}).annotate({ title: "Suggestion" })
export type Suggestion = typeof Suggestion.Type

export const ListSuggestionsQuery = Schema.Struct({
  status: Schema.optionalKey(Schema.Literals(["pending", "accepted", "dismissed", "all"])),
  taskId: Schema.optionalKey(Uuid),
  limit: Schema.optionalKey(Limit),
  cursor: Schema.optionalKey(Cursor),
}).annotate({ title: "ListSuggestionsQuery" })
export type ListSuggestionsQuery = typeof ListSuggestionsQuery.Type

export const SuggestionPage = Page(Suggestion).annotate({ title: "SuggestionPage" })

export const SuggestionIdParams = Schema.Struct({ id: Uuid })
