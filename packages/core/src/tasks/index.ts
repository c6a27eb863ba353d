/**
 * @todo/core/tasks: the task domain: the service behind the task routes and chat tools, the repository under it,
 * quick add and recurrence, and the suggestion service (an accepted suggestion is applied through TaskService).
 * An entry point of its own: the agent, which only writes suggestions and notifications, does not load it.
 */
export { parseIfMatch, TaskService } from "./TaskService.ts"
export { type TaskFields, TaskRepo } from "./TaskRepo.ts"
// The row model itself: the seed scripts and the row-decoding benchmark write and read tasks as the repository does.
export { TASK_DEFAULTS, Tasks, toTask } from "./TaskRow.ts"
export { parseQuickAdd } from "./QuickAdd.ts"
export { nextOccurrence } from "./Recurrence.ts"
export { SuggestionService } from "../suggestions/SuggestionService.ts"
