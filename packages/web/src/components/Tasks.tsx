import { QuickAdd } from "./QuickAdd.tsx"
import { TaskList } from "./TaskList.tsx"
import { Toolbar } from "./Toolbar.tsx"

/** The tasks screen: quick add, the toolbar and the list. */
export const TasksView = () => (
  <>
    <QuickAdd />
    <Toolbar />
    <TaskList />
  </>
)
