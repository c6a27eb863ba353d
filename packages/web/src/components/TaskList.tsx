import { useComputed, useSignalEffect } from "@preact/signals"
import type { Task } from "@todo/contracts"
import { useEffect, useLayoutEffect, useRef } from "preact/hooks"
import { dayOf, daysOf, isByDay, type ListView, OVERDUE } from "../filters.ts"
import { now, today } from "../stores/clock.ts"
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
  view,
  visibleTasks,
} from "../stores/tasks.ts"
import { addDays, formatDay } from "../time.ts"
import { hrefOf, navigate } from "../ui.ts"
import { Icon } from "./common.tsx"
import { TaskRow } from "./TaskRow.tsx"

/** The task list: one row per task, filtered in place (or under one heading per day), with infinite scroll. */

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

/** "Today", "Tomorrow" or "Sat 5 Dec": the heading of a day in a by-day view. */
const dayHeading = (day: string, todayKey: string) =>
  day === OVERDUE ? "Overdue" : day === todayKey ? "Today" : day === addDays(todayKey, 1) ? "Tomorrow" : null

/**
 * Today (overdue, then today) and Upcoming (each of the seven days, empty ones included, so the week reads like a
 * calendar). These lists are short, so they render the matching tasks directly.
 */
const ByDay = ({ v }: { v: ListView }) => {
  const items = visibleTasks.value
  const tz = timeZone.value
  const todayKey = today.value
  const selected = selectedId.value
  const nowMs = now.value
  const groups = new Map<string, Array<Task>>()
  for (const t of items) {
    const day = dayOf(t, tz, todayKey)
    const group = groups.get(day)
    if (group) group.push(t)
    else groups.set(day, [t])
  }
  return (
    <>
      {daysOf(v, todayKey).map((day) => {
        const list = groups.get(day) ?? []
        if (day === OVERDUE && list.length === 0) return null
        const id = `day-${day || "overdue"}`
        const word = dayHeading(day, todayKey)
        const date = day === OVERDUE ? null : formatDay(day, todayKey)
        const label = [word, date].filter(Boolean).join(" ")
        return (
          <section class="day" key={id} aria-labelledby={id} data-day={day || "overdue"}>
            <h2 id={id} class="day-heading">
              {word ?? date}
              {word && date ? <span class="muted"> {date}</span> : null}
            </h2>
            {list.length > 0 ? (
              <ul class="tasks" aria-label={`${label} (${list.length})`}>
                {list.map((t) => (
                  <TaskRow key={t.id} task={t} selected={t.id === selected} tz={tz} nowMs={nowMs} />
                ))}
              </ul>
            ) : (
              <p class="day-empty">{v === "today" ? "Nothing due today." : "Nothing planned."}</p>
            )}
          </section>
        )
      })}
    </>
  )
}

export const TaskList = () => {
  const v = view.value
  const byDay = isByDay(v)
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
      ) : byDay ? (
        <ByDay v={v} />
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
      {/* The long list keeps every loaded row and hides what a filter leaves out (see Rows). */}
      {!byDay && <Rows label={`Tasks (${items.length}${hasMore ? "+" : ""})`} empty={items.length === 0} />}
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
