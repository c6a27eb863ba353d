import { useComputed, useSignalEffect } from "@preact/signals"
import type { Task } from "@todo/contracts"
import { useEffect, useLayoutEffect, useRef } from "preact/hooks"
import { describeRule } from "../recurrence.ts"
import { now } from "../stores/clock.ts"
import { completeTask } from "../stores/completion.ts"
import { timeZone } from "../stores/settings.ts"
import { suggestions } from "../stores/suggestions.ts"
import {
  activeFilterCount,
  currentMatcher,
  filters,
  listError,
  listState,
  loadMore,
  nextCursor,
  selectedId,
  sortedTasks,
  tasks,
  visibleTasks,
} from "../stores/tasks.ts"
import { formatDue } from "../time.ts"
import { editorTarget, hrefOf, navigate } from "../ui.ts"
import { Icon, memo } from "./common.tsx"

/** The task list: one row per task, filtered in place, with infinite scroll. */

interface RowProps {
  readonly task: Task
  readonly selected: boolean
  readonly tz: string
  readonly nowMs: number
}

const TaskRow = memo(({ task, selected, tz, nowMs }: RowProps) => {
  const overdue = !task.completed && task.dueDate !== null && Date.parse(task.dueDate) < nowMs
  return (
    <li
      id={`task-${task.id}`}
      class={`task${task.completed ? " done" : ""}${selected ? " selected" : ""}`}
      data-task-id={task.id}
      tabIndex={selected ? 0 : -1}
      aria-current={selected ? "true" : undefined}
      onFocus={() => {
        selectedId.value = task.id
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && e.target === e.currentTarget) editorTarget.value = { mode: "edit", task }
      }}
    >
      <input
        type="checkbox"
        class="check"
        checked={task.completed}
        aria-label={task.completed ? `Reopen "${task.title}"` : `Complete "${task.title}"`}
        onChange={() => void completeTask(task)}
      />
      <div class="task-body">
        <button
          type="button"
          class="task-title"
          onClick={() => (editorTarget.value = { mode: "edit", task })}
        >
          {task.title}
        </button>
        <div class="meta">
          <span class={`prio prio-${task.priority}`} data-kind="priority">
            {task.priority}
          </span>
          {task.dueDate && (
            <span class={`due${overdue ? " overdue" : ""}`} data-kind="due">
              <Icon name="clock" />
              <time dateTime={task.dueDate}>{formatDue(task.dueDate, tz, nowMs)}</time>
              {overdue && <span class="sr-only"> (overdue)</span>}
            </span>
          )}
          {task.remindAt && !task.completed && (
            <span class="remind" title={`Reminder ${formatDue(task.remindAt, tz, nowMs)}`}>
              <Icon name="bell" label={`Reminder ${formatDue(task.remindAt, tz, nowMs)}`} />
            </span>
          )}
          {task.recurrence && (
            <span class="repeat" data-kind="recurrence" title={task.recurrence}>
              <Icon name="repeat" /> {describeRule(task.recurrence)}
            </span>
          )}
          {task.tags.map((t) => (
            <span class="tag" data-kind="tag" key={t}>
              #{t}
            </span>
          ))}
        </div>
      </div>
    </li>
  )
})

const SuggestionBanner = () => {
  const n = suggestions.value.length
  if (n === 0) return null
  return (
    <p class="suggestion-banner" role="status">
      <Icon name="bell" /> {n === 1 ? "1 suggestion is" : `${n} suggestions are`} waiting for you.{" "}
      <a
        href={hrefOf("inbox")}
        onClick={(e) => {
          e.preventDefault()
          navigate("inbox")
        }}
      >
        Review
      </a>
    </p>
  )
}

/**
 * Every loaded task keeps its row; a filter only hides the rows that do not match, by setting their `hidden`
 * attribute directly (no re-render of the rows). Narrowing or widening a 1 000-task list then costs a loop over the
 * loaded tasks and an attribute per row, well within a frame; rows off screen cost no layout
 * (`content-visibility: auto`). The rows themselves re-render only when a task, the order or the selection changes.
 */
const Rows = ({ label, empty }: { label: string; empty: boolean }) => {
  const all = sortedTasks.value
  const selected = selectedId.value
  const tz = timeZone.value
  const nowMs = now.value
  const list = useRef<HTMLUListElement>(null)

  const applyFilter = (match: (t: Task) => boolean) => {
    const el = list.current
    if (!el) return
    const byId = new Map(all.map((t) => [t.id, t]))
    for (const row of el.children as HTMLCollectionOf<HTMLElement>) {
      const task = byId.get(row.dataset.taskId ?? "")
      const hide = task === undefined || !match(task)
      if (row.hidden !== hide) row.hidden = hide
    }
  }

  // After each render (new rows arrive visible), and at once whenever the filters change.
  useLayoutEffect(() => applyFilter(currentMatcher.peek()))
  useSignalEffect(() => {
    applyFilter(currentMatcher.value)
    // How long a filter change took to reach the DOM (read by the browser test, and visible in DevTools).
    if (performance.getEntriesByName("filter-start", "mark").length > 0) {
      performance.measure("filter", "filter-start")
      performance.clearMarks("filter-start")
    }
  })

  return (
    <ul class="tasks" ref={list} hidden={empty} aria-label={label}>
      {all.map((t) => (
        <TaskRow key={t.id} task={t} selected={t.id === selected} tz={tz} nowMs={nowMs} />
      ))}
    </ul>
  )
}

export const TaskList = () => {
  const items = visibleTasks.value
  const sentinel = useRef<HTMLDivElement>(null)
  const hasMore = nextCursor.value !== null
  const total = useComputed(() => tasks.value.length)

  // Infinite scroll: load the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current
    if (!el) return
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadMore()
      },
      { rootMargin: "600px" },
    )
    io.observe(el)
    return () => io.disconnect()
  }, [hasMore])

  const loading = listState.value === "loading" && total.value === 0
  return (
    <section class="task-list" aria-labelledby="tasks-heading">
      <h1 id="tasks-heading" class="sr-only">
        Tasks
      </h1>
      <SuggestionBanner />
      {listError.value && (
        <p class="form-error" role="alert">
          Could not load tasks: {listError.value}
        </p>
      )}
      {loading ? (
        <p class="muted" role="status">
          Loading tasks…
        </p>
      ) : items.length === 0 ? (
        <div class="empty" role="status">
          {activeFilterCount.value > 0 || filters.value.q ? (
            <p>No tasks match these filters.</p>
          ) : (
            <p>
              Nothing to do. Add a task above, or press <kbd>n</kbd>.
            </p>
          )}
        </div>
      ) : null}
      <Rows label={`Tasks (${items.length}${hasMore ? "+" : ""})`} empty={items.length === 0} />
      <div ref={sentinel} class="sentinel" aria-hidden="true" />
      {hasMore && (
        <button
          type="button"
          class="load-more"
          disabled={listState.value !== "idle"}
          onClick={() => void loadMore()}
        >
          {listState.value === "loading-more" ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  )
}
