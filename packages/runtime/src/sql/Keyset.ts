/**
 * Keyset pagination: a page is the rows after the last one of the previous page, in (sort key, id) order. The key
 * must round-trip exactly through the client, so timestamps travel as text with their microseconds.
 */

/** A timestamp column as ISO 8601 text with microseconds, which PostgreSQL parses back to the same instant. */
export const isoMicros = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** Where the next page starts: the sort key and id of the last row of this one. */
export interface KeysetPosition<K> {
  readonly key: K
  readonly id: string
}

/**
 * The page a keyset query fetched: it asked for `limit + 1` rows ordered by (key, id); the extra row only tells
 * that another page exists, and the last row kept names where it starts.
 */
export const keysetPage = <Row extends { readonly id: string }, K, Item>(
  rows: ReadonlyArray<Row>,
  limit: number,
  key: (row: Row) => K,
  toItem: (row: Row) => Item,
): { readonly items: ReadonlyArray<Item>; readonly next: KeysetPosition<K> | null } => {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map(toItem),
    next: rows.length > limit && last !== undefined ? { key: key(last), id: last.id } : null,
  }
}
