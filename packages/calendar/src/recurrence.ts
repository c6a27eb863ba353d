/** @todo/calendar/recurrence: RFC 5545 recurrence rules, evaluated within a work budget. */
export * from "./RRule.ts"
export * from "./WorkBudget.ts"
