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
/** {@link Text}, trimmed on the way in. */
export const TrimmedText = Schema.Trim.check(isWellFormedText)

/** A UUID, the spelling of every id in the API. */
export const Uuid = Schema.String.check(isWellFormedText, Schema.isUUID()).annotate({
  title: "Uuid",
  description: "A UUID (RFC 9562).",
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

/** The canonical spelling of an instant: UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
export const UtcInstant = Schema.String.check(
  isWellFormedText,
  Schema.isPattern(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/),
  Schema.makeFilter(checkInstant),
).annotate({ title: "UtcInstant" })

/**
 * An instant in ISO 8601 with an explicit offset (`2026-11-25T09:00:00Z`, `…+01:00`). Decoding normalises it to
 * UTC with milliseconds ({@link UtcInstant}), so there is one spelling in storage, in events and on the wire. Both
 * sides are strings, so the typed client and the server agree on the JSON type.
 */
export const Instant = Schema.String.check(isWellFormedText, Schema.makeFilter(checkInstant))
  .pipe(
    Schema.decodeTo(UtcInstant, {
      decode: SchemaGetter.transform((s: string) => new Date(s).toISOString()),
      encode: SchemaGetter.passthrough(),
    }),
  )
  .annotate({ title: "Instant", description: "ISO 8601 instant with an offset; answered in UTC." })

/** An opaque pagination cursor (base64url; the server authenticates it). */
export const Cursor = Text.check(
  Schema.isMaxLength(512),
  Schema.isPattern(/^[A-Za-z0-9_.-]*$/, { message: "Expected a cursor from a previous page" }),
).annotate({ title: "Cursor" })

/** Every list route answers a page of items and the cursor of the next page (null on the last one). */
export const Page = <S extends Schema.Top>(item: S) =>
  Schema.Struct({ items: Schema.Array(item), nextCursor: Schema.NullOr(Cursor) })

/** `limit` query parameter: 1–100, default 50. */
export const Limit = Schema.FiniteFromString.check(
  Schema.isInt(),
  Schema.isBetween({ minimum: 1, maximum: 100 }),
)

/**
 * A query parameter that may be repeated (`?tag=a&tag=b`) or given once (`?tag=a`); decodes to an array.
 */
export const Repeated = <S extends Schema.Top>(item: S) => Schema.ArrayEnsure(item)
