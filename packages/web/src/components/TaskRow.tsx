import type { Task } from "@todo/contracts"
import { describeRule } from "@todo/calendar/english"
import { completeTask } from "../stores/completion.ts"
import { selectedId } from "../stores/tasks.ts"
import { firstLine, formatEstimate, priorityLabel } from "../text.ts"
import { formatDue } from "../time.ts"
import { editorTarget } from "../ui.ts"
import { Icon, memo } from "./common.tsx"

/** One task: complete it, open it, and what matters at a glance (priority, due, reminder, estimate, repeat, tags). */
interface RowProps {
  readonly task: Task
  readonly selected: boolean
  readonly tz: string
  readonly nowMs: number
}

export const TaskRow = memo(({ task, selected, tz, nowMs }: RowProps) => {
  const overdue = !task.completed && task.dueDate !== null && Date.parse(task.dueDate) < nowMs
  const summary = firstLine(task.description)
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
        {summary && (
          <p class="task-desc" data-kind="description">
            {summary}
          </p>
        )}
        <div class="meta">
          <span class={`prio prio-${task.priority}`} data-kind="priority">
            {priorityLabel(task.priority)}
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
          {task.estimateMinutes !== null && (
            <span class="estimate" data-kind="estimate" title={`Estimate: ${task.estimateMinutes} minutes`}>
              ~{formatEstimate(task.estimateMinutes)}
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
