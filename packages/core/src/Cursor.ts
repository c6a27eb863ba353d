import { keysetPage } from "@todo/runtime/sql/Keyset"
import { Schema } from "effect"
import { InvalidCursor } from "./Errors.ts"

/**
 * Keyset pagination cursors: the sort key and id of the last row of a page, bound to the sort they were made for,
 * base64url-encoded JSON. Opaque to clients; a tampered or foreign cursor is a 400, never a wrong page.
 */
const CursorPayload = Schema.Struct({
  s: Schema.String,
  v: Schema.NullOr(Schema.Union([Schema.String, Schema.Number])),
  id: Schema.String,
})
export type CursorPayload = typeof CursorPayload.Type

const decodePayload = Schema.decodeUnknownSync(Schema.fromJsonString(CursorPayload))

export const encodeCursor = (payload: CursorPayload): string =>
  Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")

export const decodeCursor = (cursor: string, expectedSort: string): CursorPayload | InvalidCursor => {
  try {
    const payload = decodePayload(Buffer.from(cursor, "base64url").toString("utf8"))
    if (payload.s !== expectedSort) {
      return new InvalidCursor({ message: "The cursor belongs to a different sort or filter." })
    }
    return payload
  } catch {
    return new InvalidCursor({ message: "The cursor is malformed." })
  }
}

/** The page a keyset query fetched (see `keysetPage`), its next position wrapped in a cursor for `signature`. */
export const pageOf = <Row extends { readonly id: string }, Item>(
  rows: ReadonlyArray<Row>,
  limit: number,
  signature: string,
  key: (row: Row) => string | number | null,
  toItem: (row: Row) => Item,
) => {
  const page = keysetPage(rows, limit, key, toItem)
  return {
    items: page.items,
    nextCursor:
      page.next === null ? null : encodeCursor({ s: signature, v: page.next.key, id: page.next.id }),
  }
}
