/**
 * @todo/calendar: dates and wall-clock time in IANA zones, for server and browser. Recurrence rules are
 * `@todo/calendar/recurrence` and their English side (the describer, the editor's draft) `@todo/calendar/english`:
 * entry points of their own so that a process that only handles dates loads neither.
 */
export * from "./Calendar.ts"
export * from "./Zoned.ts"
