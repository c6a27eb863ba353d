import { ListTasksQuery } from "@todo/contracts"
import { Schema } from "effect"
import { MicrosInstant } from "../Cursor.ts"
import { isoMicros } from "@todo/runtime"
import { Tasks } from "./TaskRow.ts"

/**
 * How a list request sorts: the SQL expression of the sort key, its direction, and how NULLs order (always last:
 * tasks without a due date come after the dated ones whichever way you sort).
 */
export interface SortPlan {
  readonly key: "dueDate" | "priority" | "createdAt" | "updatedAt" | "title" | "rank"
  readonly expression: string
  /** The key as exact text for the cursor: timestamps keep their microseconds (a JS Date would drop them). */
  readonly text: string
  readonly order: "asc" | "desc"
  readonly nullable: boolean
  /** Binds a cursor to the sort and filters it was made for. */
  readonly signature: string
  /** What the sort key of a cursor must be (it reaches SQL as a parameter compared with the key). */
  readonly cursorValue: Schema.Codec<string | null, unknown>
}

const PriorityRank = Schema.String.check(Schema.isPattern(/^[1-4]$/))
// lower() may lengthen a 200-character title a little (e.g. İ → i̇); never beyond twice.
const LowerTitle = Schema.String.check(Schema.isMaxLength(400))
const Rank = Schema.String.check(Schema.isPattern(/^\d{1,12}(\.\d{1,12})?$/))

const expressions = {
  dueDate: {
    expression: Tasks.column("dueDate"),
    text: isoMicros(Tasks.column("dueDate")),
    nullable: true,
    defaultOrder: "asc",
    value: Schema.NullOr(MicrosInstant),
  },
  priority: {
    expression: "priority_rank",
    text: "priority_rank::text",
    nullable: false,
    defaultOrder: "desc",
    value: PriorityRank,
  },
  createdAt: {
    expression: Tasks.column("createdAt"),
    text: isoMicros(Tasks.column("createdAt")),
    nullable: false,
    defaultOrder: "desc",
    value: MicrosInstant,
  },
  updatedAt: {
    expression: Tasks.column("updatedAt"),
    text: isoMicros(Tasks.column("updatedAt")),
    nullable: false,
    defaultOrder: "desc",
    value: MicrosInstant,
  },
  title: {
    expression: "lower(title)",
    text: "lower(title)",
    nullable: false,
    defaultOrder: "asc",
    value: LowerTitle,
  },
  rank: { expression: "rank", text: "rank::text", nullable: false, defaultOrder: "desc", value: Rank },
} as const

/** Every parameter of a list but the sort and the page: what a cursor is bound to (a new filter is bound too). */
const FILTERS = (Object.keys(ListTasksQuery.fields) as Array<keyof ListTasksQuery>).filter(
  (k) => k !== "sort" && k !== "order" && k !== "limit" && k !== "cursor",
)

/** A search without an explicit sort is ordered by relevance; everything else by newest first. */
export const sortPlan = (query: ListTasksQuery): SortPlan => {
  const key = query.sort ?? (query.q !== undefined ? "rank" : "createdAt")
  const e = expressions[key]
  const order = query.order ?? e.defaultOrder
  const filters = JSON.stringify(FILTERS.map((k) => query[k] ?? null))
  return {
    key,
    expression: e.expression,
    text: e.text,
    order,
    nullable: e.nullable,
    signature: `${key}:${order}:${hash(filters)}`,
    cursorValue: e.value,
  }
}

/** FNV-1a: a short, stable fingerprint of the filters, so a cursor cannot be replayed against other filters. */
const hash = (s: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(36)
}

/**
 * Turns free text into a prefix-matching tsquery over the `simple` configuration: every word must match, the last
 * one as a prefix so results appear while the user types. Punctuation is dropped, so user input never reaches
 * the tsquery parser unescaped.
 */
export const toPrefixTsQuery = (q: string): string | undefined => {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 16)
  if (words.length === 0) return undefined
  return words.map((w) => `${w}:*`).join(" & ")
}
