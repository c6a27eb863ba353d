/** @todo/calendar/english: recurrence rules for people: the English describer and the editor's draft of a rule. */
export * from "./Describe.ts"
export * from "./RuleDraft.ts"
