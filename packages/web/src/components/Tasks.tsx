import { useComputed, useSignal, useSignalEffect } from "@preact/signals"
import type { Priority, QuickAddParse, Task } from "@todo/contracts"
import { useEffect, useLayoutEffect, useRef } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, isMissingRoute, problemOf } from "../api.ts"
import { describeRule } from "@todo/calendar/Describe"
import {
  activeFilterCount,
  completeTask,
  currentMatcher,
  DEFAULT_ORDER,
  defaultFilters,
  filters,
  listError,
  listState,
  loadMore,
  matcher,
  nextCursor,
  now,
  PRIORITIES,
  reloadTags,
  type SortKey,
  selectedId,
  setFilters,
  showToast,
  sortedTasks,
  suggestions,
  tagCounts,
  tasks,
  timeZone,
  upsertTask,
  visibleTasks,
} from "../store.ts"
import { formatDue } from "../time.ts"
import { editorTarget, hrefOf, navigate } from "../ui.ts"
import { FieldError, Icon, invalidProps, memo } from "./common.tsx"

// ---------------------------------------------------------------------------------------------------------------
// Quick add

const QuickPreview = ({ parse, tz }: { parse: QuickAddParse; tz: string }) => (
  <div class="preview-chips">
    <span class="preview-label">Will add</span>
    <strong class="chip chip-title" data-kind="title">
      {parse.title || "(no title)"}
    </strong>
    {parse.dueDate && (
      <span class="chip" data-kind="due">
        <Icon name="clock" /> <time dateTime={parse.dueDate}>{formatDue(parse.dueDate, tz)}</time>
      </span>
    )}
    {parse.recurrence && (
      <span class="chip" data-kind="recurrence">
        <Icon name="repeat" /> {describeRule(parse.recurrence)}
        {parse.repeatFrom === "completion" ? " after completion" : ""}
      </span>
    )}
    {parse.priority && (
      <span class={`chip prio prio-${parse.priority}`} data-kind="priority">
        {parse.priority}
      </span>
    )}
    {parse.tags.map((t) => (
      <span class="chip tag" data-kind="tag" key={t}>
        #{t}
      </span>
    ))}
  </div>
)

export const QuickAdd = () => {
  const text = useSignal("")
  const parse = useSignal<QuickAddParse | null>(null)
  const parseAvailable = useSignal(true)
  const error = useSignal<string | undefined>(undefined)
  const busy = useSignal(false)
  const seq = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const requestParse = (value: string) => {
    clearTimeout(timer.current)
    const trimmed = value.trim()
    const mine = ++seq.current
    if (!trimmed || !parseAvailable.value) {
      parse.value = null
      return
    }
    timer.current = setTimeout(async () => {
      const res = await call(() => client.api.tasks.parseQuick({ body: { text: trimmed } }))
      if (mine !== seq.current) return
      if (res.status === 200) parse.value = res.body
      else if (isMissingRoute(res)) parseAvailable.value = false
      else parse.value = null
    }, 200)
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    const value = text.value.trim()
    if (!value || busy.value) return
    busy.value = true
    error.value = undefined
    let res = await call(() => client.api.tasks.quick({ body: { text: value } }))
    let task: Task | null = res.status === 201 ? res.body.task : null
    if (isMissingRoute(res)) {
      // No quick add on this server yet: save the line as a plain title.
      const created = await call(() => client.api.tasks.create({ body: { title: value } }))
      if (created.status === 201) task = created.body
      else res = created as never
    }
    busy.value = false
    if (task) {
      ++seq.current
      text.value = ""
      parse.value = null
      upsertTask(task)
      void reloadTags()
      const shown = matcher(filters.value, timeZone.value, Date.now())(task)
      showToast(
        {
          tone: "success",
          message: `Added "${task.title}"${shown ? "" : " (hidden by the current filters)"}`,
        },
        4000,
      )
      return
    }
    const byField = fieldErrors(problemOf(res))
    error.value = byField.text ?? byField.title ?? describeProblem(res)
  }

  const openEditor = () => {
    const p = parse.value
    editorTarget.value = {
      mode: "create",
      draft: p ?? { title: text.value.trim() },
    }
  }

  return (
    <form class="quick-add" onSubmit={submit} aria-label="Quick add">
      <div class="quick-row">
        <label for="quick-add" class="sr-only">
          New task (quick add)
        </label>
        <input
          id="quick-add"
          autocomplete="off"
          placeholder='Add a task, e.g. "Buy milk tomorrow 9am #errands !high"'
          value={text.value}
          onInput={(e) => {
            text.value = e.currentTarget.value
            error.value = undefined
            requestParse(e.currentTarget.value)
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") e.currentTarget.blur()
          }}
          {...invalidProps("quick-add-error", error.value)}
          aria-describedby={error.value ? "quick-add-error" : "quick-add-preview"}
        />
        <button class="primary" type="submit" disabled={busy.value || !text.value.trim()}>
          <Icon name="plus" /> Add
        </button>
        <button type="button" onClick={openEditor} title="Open the full editor">
          More…
        </button>
      </div>
      <div id="quick-add-preview" class="preview" role="status" aria-live="polite">
        {parse.value && text.value.trim() ? (
          <QuickPreview parse={parse.value} tz={timeZone.value} />
        ) : !parseAvailable.value && text.value.trim() ? (
          <span class="muted">
            Dates and #tags are not understood on this server yet: the text becomes the title.
          </span>
        ) : null}
      </div>
      <FieldError id="quick-add-error" message={error.value} />
    </form>
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Search, filters and sort

const SORTS: ReadonlyArray<readonly [SortKey, string]> = [
  ["createdAt", "Newest"],
  ["dueDate", "Due date"],
  ["priority", "Priority"],
  ["updatedAt", "Recently changed"],
  ["title", "Title"],
]

const toggle = <A,>(xs: ReadonlyArray<A>, x: A) => (xs.includes(x) ? xs.filter((y) => y !== x) : [...xs, x])

export const Toolbar = () => {
  const f = filters.value
  const count = activeFilterCount.value
  return (
    <section class="toolbar" aria-label="Search and filters">
      <div class="search">
        <Icon name="search" />
        <label for="search" class="sr-only">
          Search tasks
        </label>
        <input
          id="search"
          type="search"
          placeholder="Search tasks"
          autocomplete="off"
          value={f.q}
          onInput={(e) => {
            performance.mark("filter-start")
            setFilters({ q: e.currentTarget.value }, 250)
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") e.currentTarget.blur()
          }}
        />
        <span class="hint-key" aria-hidden="true">
          /
        </span>
      </div>
      <fieldset class="segmented">
        <legend class="sr-only">Status</legend>
        {(["open", "completed", "all"] as const).map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={f.status === s}
            onClick={() => {
              performance.mark("filter-start")
              setFilters({ status: s })
            }}
          >
            {s === "open" ? "Open" : s === "completed" ? "Done" : "All"}
          </button>
        ))}
      </fieldset>
      <div class="sort">
        <label for="sort">Sort</label>
        <select
          id="sort"
          value={f.sort}
          onChange={(e) => {
            const sort = e.currentTarget.value as SortKey
            setFilters({ sort, order: DEFAULT_ORDER[sort] })
          }}
        >
          {SORTS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="icon-button"
          aria-label={
            f.order === "asc"
              ? "Ascending order (switch to descending)"
              : "Descending order (switch to ascending)"
          }
          onClick={() => setFilters({ order: f.order === "asc" ? "desc" : "asc" })}
        >
          <Icon name={f.order === "asc" ? "arrowUp" : "arrowDown"} />
        </button>
      </div>
      <details class="filters">
        <summary>Filters{count > 0 ? <span class="badge">{count}</span> : null}</summary>
        <div class="filter-panel">
          <fieldset>
            <legend>Priority</legend>
            {PRIORITIES.map((p) => (
              <label class="check-label" key={p}>
                <input
                  type="checkbox"
                  checked={f.priority.includes(p)}
                  onChange={() => {
                    performance.mark("filter-start")
                    setFilters({ priority: toggle<Priority>(f.priority, p) })
                  }}
                />
                <span class={`prio prio-${p}`}>{p}</span>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Tags</legend>
            {tagCounts.value.length === 0 && <span class="muted">No tags yet</span>}
            <div class="tag-options">
              {tagCounts.value.map(({ tag, count: n }) => (
                <label class="check-label" key={tag}>
                  <input
                    type="checkbox"
                    checked={f.tags.includes(tag)}
                    onChange={() => {
                      performance.mark("filter-start")
                      setFilters({ tags: toggle(f.tags, tag) })
                    }}
                  />
                  #{tag} <span class="muted">({n})</span>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>Due</legend>
            <div class="due-range">
              <label>
                From{" "}
                <input
                  type="date"
                  value={f.dueFrom}
                  onChange={(e) => setFilters({ dueFrom: e.currentTarget.value })}
                />
              </label>
              <label>
                To{" "}
                <input
                  type="date"
                  value={f.dueTo}
                  onChange={(e) => setFilters({ dueTo: e.currentTarget.value })}
                />
              </label>
            </div>
            <label class="check-label">
              <input
                type="checkbox"
                checked={f.overdue}
                onChange={(e) => {
                  performance.mark("filter-start")
                  setFilters({ overdue: e.currentTarget.checked })
                }}
              />
              Overdue only
            </label>
          </fieldset>
          <button
            type="button"
            disabled={count === 0 && !f.q}
            onClick={() => setFilters({ ...defaultFilters, sort: f.sort, order: f.order })}
          >
            Clear filters
          </button>
        </div>
      </details>
    </section>
  )
}

// ---------------------------------------------------------------------------------------------------------------
// The list

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

export const TasksView = () => (
  <>
    <QuickAdd />
    <Toolbar />
    <TaskList />
  </>
)
