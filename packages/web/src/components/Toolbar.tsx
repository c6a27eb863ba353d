import type { Priority } from "@todo/contracts"
import { DEFAULT_ORDER, PRIORITIES, type SortKey } from "../filters.ts"
import { activeFilterCount, clearFilters, filters, setFilters, tagCounts, view } from "../stores/tasks.ts"
import { priorityLabel } from "../text.ts"
import { Icon } from "./common.tsx"

/** Search, status, sort and the filters panel above the list. */

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
  // Today and Upcoming are due-date windows of their own; a due range belongs to the Tasks view.
  const allTasks = view.value === "tasks"
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
                <span class={`prio prio-${p}`}>{priorityLabel(p)}</span>
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
          {allTasks && (
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
          )}
          <button type="button" disabled={count === 0 && !f.q} onClick={clearFilters}>
            Clear filters
          </button>
        </div>
      </details>
    </section>
  )
}
