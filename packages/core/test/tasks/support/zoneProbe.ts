// Reads quick-add texts and recurring tasks as JSON on stdin and prints what quick add and the recurrence engine
// answer, with the process's own UTC offset: run under different TZ values to show the answers do not depend on it.
import { readFileSync } from "node:fs"
import { nextOccurrence, type NextOccurrenceInput } from "../../../src/tasks/Recurrence.ts"
import { parseQuickAdd } from "../../../src/tasks/QuickAdd.ts"

export interface ProbeInput {
  readonly quick: ReadonlyArray<{ readonly text: string; readonly now: number; readonly timezone: string }>
  readonly next: ReadonlyArray<NextOccurrenceInput>
}

export const answer = (input: ProbeInput) => ({
  quick: input.quick.map((q) => parseQuickAdd(q.text, { now: q.now, timezone: q.timezone })),
  next: input.next.map((n) => nextOccurrence(n)),
})

if (import.meta.main) {
  const input = JSON.parse(readFileSync(0, "utf8")) as ProbeInput
  process.stdout.write(
    JSON.stringify({ offsetMinutes: new Date(Date.UTC(2025, 10, 24)).getTimezoneOffset(), ...answer(input) }),
  )
}
