import type { Suggestion } from "@todo/contracts"
import { useSignal } from "@preact/signals"
import { timeZone } from "../stores/settings.ts"
import {
  acceptSuggestion,
  dismissSuggestion,
  suggestions,
  suggestionsAvailable,
  suggestionsLoaded,
} from "../stores/suggestions.ts"
import { priorityLabel } from "../text.ts"
import { formatAgo, formatDate } from "../time.ts"
import { OpenTaskButton, useTask } from "./TaskRef.tsx"

const TYPE_LABEL: Record<Suggestion["type"], string> = {
  overdue: "Overdue",
  priority: "Priority",
  reminder: "Reminder",
}

const SuggestionCard = ({ s }: { s: Suggestion }) => {
  const busy = useSignal(false)
  const task = useTask(s.taskId)
  const tz = timeZone.value
  const title = task?.title ?? "A task"
  const change = s.proposedChange
  const run = async (f: (s: Suggestion) => Promise<void>) => {
    busy.value = true
    await f(s)
    busy.value = false
  }
  return (
    <li class="card suggestion" data-suggestion-id={s.id} aria-labelledby={`sugg-${s.id}`}>
      <div class="card-head">
        <span class={`kind kind-${s.type}`}>{TYPE_LABEL[s.type]}</span>
        <span class="muted" title={formatDate(s.createdAt, tz)}>
          {formatAgo(s.createdAt)}
        </span>
      </div>
      <h2 id={`sugg-${s.id}`} class="card-title">
        {title}
      </h2>
      <p class="reason">{s.message}</p>
      {task?.completed && <p class="muted">This task is already completed.</p>}
      <dl class="proposed">
        {change.dueDate !== undefined && (
          <>
            <dt>Due date</dt>
            <dd data-kind="due-change">
              {task?.dueDate ? (
                <>
                  <s>
                    <time dateTime={task.dueDate}>{formatDate(task.dueDate, tz)}</time>
                  </s>
                  {" → "}
                </>
              ) : null}
              {change.dueDate ? (
                <time dateTime={change.dueDate}>{formatDate(change.dueDate, tz)}</time>
              ) : (
                "no due date"
              )}
            </dd>
          </>
        )}
        {change.priority !== undefined && (
          <>
            <dt>Priority</dt>
            <dd data-kind="priority-change">
              {task ? (
                <>
                  <s>
                    <span class={`prio prio-${task.priority}`}>{priorityLabel(task.priority)}</span>
                  </s>
                  {" → "}
                </>
              ) : null}
              <span class={`prio prio-${change.priority}`}>{priorityLabel(change.priority)}</span>
            </dd>
          </>
        )}
      </dl>
      <div class="card-actions">
        <button
          type="button"
          class="primary"
          disabled={busy.value}
          aria-label={`Accept suggestion for "${title}"`}
          onClick={() => void run(acceptSuggestion)}
        >
          Accept
        </button>
        <button
          type="button"
          disabled={busy.value}
          aria-label={`Dismiss suggestion for "${title}"`}
          onClick={() => void run(dismissSuggestion)}
        >
          Dismiss
        </button>
        {task && <OpenTaskButton task={task} />}
      </div>
    </li>
  )
}

/** The agents' suggestions, waiting for a decision. */
export const InboxView = () => {
  const items = suggestions.value
  return (
    <section aria-labelledby="inbox-heading" class="page">
      <h1 id="inbox-heading">Suggestions</h1>
      <p class="muted">
        The agents watch your tasks and suggest changes here. Nothing changes until you accept.
      </p>
      {!suggestionsAvailable.value ? (
        <p class="notice" role="status">
          Suggestions are not available on this server yet.
        </p>
      ) : items.length === 0 ? (
        <p class="empty" role="status">
          {suggestionsLoaded.value ? "Nothing to review right now." : "Loading suggestions…"}
        </p>
      ) : (
        <ul class="cards" aria-label="Pending suggestions">
          {items.map((s) => (
            <SuggestionCard key={s.id} s={s} />
          ))}
        </ul>
      )}
    </section>
  )
}
