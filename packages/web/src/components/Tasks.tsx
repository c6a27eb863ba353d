import { type ListView, UPCOMING_DAYS } from "../filters.ts"
import { today } from "../stores/clock.ts"
import { formatDay } from "../time.ts"
import { QuickAdd } from "./QuickAdd.tsx"
import { TaskList } from "./TaskList.tsx"
import { Toolbar } from "./Toolbar.tsx"

export const VIEW_TITLES: Record<ListView, string> = { today: "Today", upcoming: "Upcoming", tasks: "Tasks" }

/** The view's name: visible for Today (with the date) and Upcoming; for screen readers only on the plain list. */
const ViewHeading = ({ view }: { view: ListView }) =>
  view === "tasks" ? (
    <h1 id="tasks-heading" class="sr-only">
      Tasks
    </h1>
  ) : (
    <h1 id="tasks-heading" class="view-title">
      {VIEW_TITLES[view]}{" "}
      <span class="muted">
        {view === "today" ? formatDay(today.value, today.value) : `the next ${UPCOMING_DAYS} days`}
      </span>
    </h1>
  )

/** A list view (Today, Upcoming, all tasks): its heading, quick add, the toolbar and the list. */
export const TasksView = ({ view }: { view: ListView }) => (
  <>
    <ViewHeading view={view} />
    <QuickAdd />
    <Toolbar />
    <TaskList />
  </>
)
