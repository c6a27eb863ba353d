/**
 * @todo/core: the domain shared by the api and the agent. Its public surface is this index (the records both
 * processes read and write: settings, notifications, suggestions, activity, the live change feed; the domain errors
 * and the cursors of paged lists) and `@todo/core/tasks` (the task domain, which only the api loads).
 */

// Accounts, notifications, suggestions as stored, activity and the live change feed.
export { DEFAULT_SETTINGS, UserSettings } from "./accounts/UserSettings.ts"
export { Notifications } from "./notifications/Notifications.ts"
export { type NewSuggestion, SuggestionRepo } from "./suggestions/SuggestionRepo.ts"
export { Activity } from "./activity/Activity.ts"
export { UserChanges } from "./live/UserChanges.ts"

// Errors the domain fails with (each carries its HTTP meaning) and the opaque cursors of paged lists.
export { type InvalidCursor, InvalidField, InvalidTaskField } from "./Errors.ts"
export {
  CursorKey,
  cursorKeyFromSecret,
  decodeCursor,
  encodeCursor,
  MicrosInstant,
  MillisInstant,
  pageOf,
  UuidId,
} from "./Cursor.ts"
