// `BENCH=rows npm run bench`: what reading a page of task rows through the model (TaskRow: Schema decoding of each
// column, checks included) costs, beside the hand-written mapping it replaced (Date → ISO per timestamp, no checks),
// kept here as the baseline. CPU only, no database: a page of 50 rows as the driver returns them. Rounds alternate
// the two, so load on the machine falls on both alike; the medians are printed.
import { Effect } from "effect"
import { Tasks, toTask } from "@todo/core/tasks"
import { alternate, median } from "./support/alternate.ts"

const now = new Date("2026-11-20T08:15:30.123Z")
const rows = Array.from({ length: 50 }, (_, i) => ({
  id: `0b8e2b1e-5f3c-4c59-9f0e-3d2a8f6c${String(1000 + i)}`,
  title: `Task ${i}`,
  description: i % 2 === 0 ? null : "Some words",
  priority: "high",
  due_date: i % 3 === 0 ? null : now,
  remind_at: null,
  recurrence: i % 5 === 0 ? "FREQ=WEEKLY" : null,
  repeat_from: "dueDate",
  tags: ["home", "work"],
  estimate_minutes: i % 4 === 0 ? null : 30,
  completed: false,
  completed_at: null,
  created_at: now,
  updated_at: now,
  version: 1,
  sort_text: "2026-11-20T08:15:30.123000Z",
}))

type Row = (typeof rows)[number]
const iso = (d: Date | null) => (d === null ? null : d.toISOString())
/** The mapping of before (TaskRow.ts at e6609ad), with the new field. */
const handWritten = (r: Row) => ({
  id: r.id,
  title: r.title,
  description: r.description,
  priority: r.priority,
  dueDate: iso(r.due_date),
  remindAt: iso(r.remind_at),
  recurrence: r.recurrence,
  repeatFrom: r.repeat_from,
  tags: [...r.tags],
  estimateMinutes: r.estimate_minutes,
  completed: r.completed,
  completedAt: iso(r.completed_at),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
})

const variants = {
  "hand-written mapping (before)": () => rows.map(handWritten),
  "TaskRow model, Schema decoding (after)": () =>
    Effect.runSync(Effect.map(Tasks.decodeAll(rows), (decoded) => decoded.map(toTask))),
}

const ROUNDS = 15
const PAGES = 400
const samples = alternate(variants, { rounds: ROUNDS, calls: PAGES, warmup: 200 })
console.log(`a page of ${rows.length} task rows, median of ${ROUNDS} rounds of ${PAGES} pages:`)
for (const [name, xs] of samples) {
  const m = median(xs)
  console.log(`  ${name}: ${m.toFixed(0)} µs per page, ${(m / rows.length).toFixed(1)} µs per row`)
}
