// `BENCH=reads npm run bench`: the CPU a list request spends on its own data, step by step, for the benchmark's
// page (28 tasks): the query's decoding, the rows' decoding through the model (TaskRow), the answer's encoding
// through the contract (TaskPage), and its JSON; each as the server runs it, the schemas compiled by Effect's JIT
// (packages/runtime/src/schema/Compiled.ts). CPU only, no database. docs/BENCHMARKS.md, "Issue 17: reads", has
// these steps before and after they were compiled.
import { ListTasksQuery, TaskPage } from "@todo/contracts"
import { Tasks, toTask } from "@todo/core/tasks"
import { compileDecoding, compileEncoding } from "@todo/runtime"
import { Effect, Schema } from "effect"
import { alternate, median } from "./support/alternate.ts"

const now = new Date("2026-11-20T08:15:30.123Z")
const rows = Array.from({ length: 28 }, (_, i) => ({
  id: `0b8e2b1e-5f3c-4c59-9f0e-3d2a8f6c${String(1000 + i)}`,
  title: `Three word title ${i}`,
  description: i % 2 === 0 ? null : "Some words about it",
  priority: i % 2 === 0 ? "high" : "urgent",
  due_date: i % 5 === 0 ? null : now,
  remind_at: null,
  recurrence: i % 7 === 0 ? "FREQ=WEEKLY" : null,
  repeat_from: "dueDate",
  tags: i % 3 === 0 ? [] : ["home", "work"].slice(0, i % 3),
  estimate_minutes: i % 4 === 0 ? null : 30,
  completed: false,
  completed_at: null,
  created_at: now,
  updated_at: now,
  version: 1,
  rank: "0",
  sort_key: now,
  sort_text: "2026-11-20T08:15:30.123000Z",
}))
const query = { status: "open", priority: ["high", "urgent"], sort: "dueDate", order: "asc", limit: "50" }

const decodeQuery = Schema.decodeUnknownSync(compileDecoding(ListTasksQuery), {
  errors: "all",
  onExcessProperty: "error",
})
const encodeAnswer = Schema.encodeUnknownSync(compileEncoding(TaskPage))
const decodeRows = () => Effect.runSync(Effect.map(Tasks.decodeAll(rows), (decoded) => decoded.map(toTask)))
const answer = { items: decodeRows(), nextCursor: null }

const steps: Record<string, () => unknown> = {
  "query (ListTasksQuery)": () => decodeQuery(query),
  "rows → tasks (TaskRow)": decodeRows,
  "answer (TaskPage)": () => encodeAnswer(answer),
  "JSON.stringify": () => JSON.stringify(answer),
}

const ROUNDS = 11
const CALLS = 1000
const samples = alternate(steps, { rounds: ROUNDS, calls: CALLS, warmup: CALLS })
console.log(
  `a list request's own data, page of ${rows.length}; median of ${ROUNDS} rounds of ${CALLS} [range]:`,
)
for (const [name, xs] of samples) {
  console.log(
    `  ${name}: ${median(xs).toFixed(1)} µs [${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}]`,
  )
}
