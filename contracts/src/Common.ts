import { Schema, SchemaGetter } from "effect"

/**
 * NUL and unpaired UTF-16 surrogates. PostgreSQL cannot store a NUL in text, and a lone surrogate is not text at
 * all (it would be silently replaced on its way to UTF-8, so what is stored is not what was sent).
 */
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const isMalformedText = (s: string) => s.includes("\u0000") || unpairedSurrogate.test(s)

/**
 * The check every string a client sends carries (bodies, query and path parameters, headers): test/Contract.test.ts
 * walks the contract and fails on a request string without it.
 */
export const isWellFormedText = Schema.makeFilter(
  (s: string) =>
    isMalformedText(s) ? "Expected text without NUL characters or unpaired surrogates" : undefined,
  { title: "wellFormedText" },
)

/** A string a client sends: any text but NUL and unpaired surrogates. */
export const Text = Schema.String.check(isWellFormedText)

/**
 * Text of at most `max` characters. Lengths count Unicode code points, as PostgreSQL's `char_length` and JSON
 * Schema's `maxLength` do, so the OpenAPI document states the very limit that is checked.
 */
export const TextUpTo = (max: number) => Text.check(Schema.isMaxCodePoints(max))

/**
 * Text that must not be blank, of at most `max` characters as sent, trimmed on the way in. Both rules apply to the
 * text as sent (a non-space character, the length), so the OpenAPI document can state them exactly.
 */
export const TrimmedText = (max: number, annotations: Schema.Annotations.Annotations = {}) =>
  TextUpTo(max)
    // `u`: JSON Schema patterns are Unicode, and Effect exports a pattern to JSON Schema only with this flag.
    .check(Schema.isPattern(/\S/u, { message: "Expected text that is not blank" }))
    // Annotations go on the side a client sends, which is the side the OpenAPI document describes.
    .annotate(annotations)
    .pipe(Schema.decodeTo(Text, { decode: SchemaGetter.trim(), encode: SchemaGetter.passthrough() }))

/** A UUID, the spelling of every id in the API. */
export const Uuid = Schema.String.check(isWellFormedText, Schema.isUUID()).annotate({
  title: "Uuid",
  description: "A UUID (RFC 9562).",
  examples: ["0b8e2b1e-5f3c-4c59-9f0e-3d2a8f6c1a47"],
})

const isoInstant =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/i

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** The years an instant may fall in (in UTC): what ISO 8601's four digits and PostgreSQL's timestamps both hold. */
export const MIN_YEAR = 1
export const MAX_YEAR = 9999
const yearMessage = `Expected an instant in the years ${MIN_YEAR}–${MAX_YEAR}`

/** Calendar-checks an ISO 8601 instant: `2026-02-30T…` or `…T24:00…` are errors, not silently rolled over. */
const checkInstant = (s: string): string | undefined => {
  const m = s.match(isoInstant)
  const message = "Expected an ISO 8601 instant with an offset, e.g. 2026-11-25T09:00:00Z"
  if (!m) return message
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(
    Number,
  ) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return message
  if (hour > 23 || minute > 59 || second > 59) return message
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return message
  // The offset may carry a year-1 or year-9999 local time across the bound: the instant itself must be inside.
  const utcYear = new Date(s).getUTCFullYear()
  if (year < MIN_YEAR || utcYear < MIN_YEAR || utcYear > MAX_YEAR) return yearMessage
  return undefined
}

/** The format of every instant in the document: RFC 3339 date-time (ours takes seconds as optional on the way in). */
const dateTime = { toJsonSchema: () => [{ format: "date-time" }, true] as const }

/** The canonical spelling of an instant: UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
export const UtcInstant = Schema.String.check(
  isWellFormedText,
  Schema.isPattern(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/),
  Schema.makeFilter(checkInstant, dateTime),
).annotate({ title: "UtcInstant" })

/**
 * An instant the server writes (`createdAt`, a task's `dueDate` as answered): UTC with milliseconds. Only described
 * (the server makes these with `toISOString`), so answering a page of tasks checks nothing.
 */
export const Timestamp = Schema.String.annotate({
  format: "date-time",
  description: "An instant in UTC with milliseconds (ISO 8601 / RFC 3339).",
  examples: ["2026-11-25T09:00:00.000Z"],
})

/**
 * An instant in ISO 8601 with an explicit offset (`2026-11-25T09:00:00Z`, `…+01:00`). Decoding normalises it to
 * UTC with milliseconds ({@link UtcInstant}), so there is one spelling in storage, in events and on the wire. Both
 * sides are strings, so the typed client and the server agree on the JSON type.
 */
export const Instant = Schema.String.check(isWellFormedText, Schema.makeFilter(checkInstant, dateTime))
  .annotate({
    description:
      "An ISO 8601 / RFC 3339 instant with an offset (`Z` or `±hh:mm`; seconds optional), in the years 1–9999; " +
      "answered in UTC with milliseconds.",
    examples: ["2026-11-25T09:00:00Z"],
  })
  .pipe(
    Schema.decodeTo(UtcInstant, {
      decode: SchemaGetter.transform((s: string) => new Date(s).toISOString()),
      encode: SchemaGetter.passthrough(),
    }),
  )
  .annotate({ title: "Instant" })

/** An opaque pagination cursor (base64url; the server authenticates it). */
export const Cursor = Text.check(
  Schema.isMaxLength(512),
  Schema.isPattern(/^[A-Za-z0-9_.-]*$/u, { message: "Expected a cursor from a previous page" }),
).annotate({
  title: "Cursor",
  description: "An opaque position in a list: the `nextCursor` of the previous page, passed back unchanged.",
})

/** Every list route answers a page of items and the cursor of the next page (null on the last one). */
export const Page = <S extends Schema.Top>(item: S) =>
  Schema.Struct({
    items: Schema.Array(item).annotateKey({ description: "This page's items, in the list's order." }),
    nextCursor: Schema.NullOr(Cursor).annotateKey({
      description: "The `cursor` that asks for the next page; null on the last page.",
    }),
  })

/** `limit` query parameter: 1–100, default 50. */
export const Limit = Schema.FiniteFromString.check(
  Schema.isInt(),
  Schema.isBetween({ minimum: 1, maximum: 100 }),
).annotate({ description: "How many items a page holds at most: 1–100, 50 when absent.", default: 50 })

/**
 * A query parameter that may be repeated (`?tag=a&tag=b`) or given once (`?tag=a`); decodes to an array.
 */
export const Repeated = <S extends Schema.Top>(item: S) => Schema.ArrayEnsure(item)
