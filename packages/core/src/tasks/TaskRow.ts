import type { Priority, RepeatFrom, Task } from "@todo/contracts"

/** A `tasks` row as selected by {@link TASK_COLUMNS}. */
export interface TaskRow {
  readonly id: string
  readonly user_id: string
  readonly title: string
  readonly description: string | null
  readonly priority: Priority
  readonly due_date: Date | null
  readonly remind_at: Date | null
  readonly recurrence: string | null
  readonly repeat_from: RepeatFrom
  readonly tags: ReadonlyArray<string>
  readonly completed: boolean
  readonly completed_at: Date | null
  readonly created_at: Date
  readonly updated_at: Date
  readonly version: number
}

export const TASK_COLUMNS = `id, user_id, title, description, priority, due_date, remind_at, recurrence, repeat_from,
  tags, completed, completed_at, created_at, updated_at, version`

const iso = (d: Date | null) => (d === null ? null : d.toISOString())

export const toTask = (row: TaskRow): Task => ({
  id: row.id,
  title: row.title,
  description: row.description,
  priority: row.priority,
  dueDate: iso(row.due_date),
  remindAt: iso(row.remind_at),
  recurrence: row.recurrence,
  repeatFrom: row.repeat_from,
  tags: [...row.tags],
  completed: row.completed,
  completedAt: iso(row.completed_at),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  version: row.version,
})
