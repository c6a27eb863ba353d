import { Effect, type Option, Schema, SchemaTransformation } from "effect"
import type * as Model from "effect/schema/Model"
import { compileDecoding } from "../schema/Compiled.ts"
import { isoString } from "./IsoString.ts"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment, RecordUpdateHelperSingle } from "effect/sql/Statement"

/** `eventId` → `event_id`, at the type level (digits and lower-case letters stay as they are). */
export type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

type ColumnNames<Fields> = { readonly [K in keyof Fields & string]: SnakeCase<K> }

const columnNames = <Fields extends Schema.Struct.Fields>(fields: Fields): ColumnNames<Fields> =>
  Object.fromEntries(Object.keys(fields).map((k) => [k, snakeCase(k)])) as ColumnNames<Fields>

/**
 * A `bigint` column (an identity) as a string in code: the driver returns `bigint`, ids travel as text (in URLs,
 * JSON, SQL parameters).
 */
export const BigIntAsString = Schema.BigInt.pipe(
  Schema.decodeTo(
    Schema.String,
    SchemaTransformation.transform({ decode: (n: bigint) => String(n), encode: (s: string) => BigInt(s) }),
  ),
)

/**
 * A `timestamptz` column as the API spells an instant: the driver returns a `Date`, code and JSON carry the ISO
 * string `toISOString` writes (UTC, milliseconds).
 */
export const DateAsIsoString = Schema.Date.pipe(
  Schema.decodeTo(
    Schema.String,
    SchemaTransformation.transform({
      decode: isoString,
      encode: (s: string) => new Date(s),
    }),
  ),
)

/** What SqlTable needs of a model: a `Model.Class` (or `Model.Struct` made into a schema) has it. */
export type TableModel = Model.Any & {
  readonly fields: Schema.Struct.Fields
  readonly insert: Schema.Top & { readonly fields: Schema.Struct.Fields }
  readonly update: Schema.Top & { readonly fields: Schema.Struct.Fields }
}

/**
 * One table, declared once as an Effect `Model` (from `effect/schema/Model`): its fields are the table's columns,
 * camelCase in code and snake_case in SQL, and its variants say which columns an insert writes (`GeneratedByDb`
 * fields are left to the database). Everything else derives from it:
 * - `columns` / `insertColumns`: the column lists for SELECT/RETURNING and INSERT;
 * - `decode` / `decodeAll`: rows as the driver returns them → the model's type, through Schema (a row that does
 *   not decode means the table and the model disagree: a defect, not an input error);
 * - `set`: the `SET` list of an UPDATE from any subset of the update variant's fields, each encoded by the model;
 * - `insert`: values of the insert variant, encoded by the model and read back by PostgreSQL as rows of the table's
 *   own type (`jsonb_populate_recordset(NULL::table, …)`): one parameter for any number of rows, and no column
 *   list or cast written by hand.
 */
export const SqlTable = <M extends TableModel>(name: string, model: M) => {
  // A row's columns are renamed to the model's fields by a plain loop before the model decodes it: through
  // `Schema.encodeKeys` the renaming was a generic walk of every key per row, about half of a page's decoding
  // (`BENCH=rows npm run bench`). Only columns the model names are kept (the driver's extra ones, a list's sort
  // key, were dropped by the decoding all the same); a missing column stays missing, so the model reports it.
  const fieldOfColumn = Object.keys(model.fields).map((field) => [snakeCase(field), field] as const)
  const toFields = (row: unknown): unknown => {
    if (typeof row !== "object" || row === null) return row
    const out: Record<string, unknown> = {}
    for (const [column, field] of fieldOfColumn) {
      if (Object.hasOwn(row, column)) out[field] = (row as Record<string, unknown>)[column]
    }
    return out
  }
  // TypeScript cannot see through a generic M that the model's decoded type is M["Type"], hence the cast.
  const row = model as unknown as Schema.Codec<M["Type"], unknown>
  const insert = model.insert.pipe(
    Schema.encodeKeys(columnNames(model.insert.fields)),
  ) as unknown as Schema.Codec<M["insert"]["Type"], unknown>
  const decodeRow = Schema.decodeUnknownEffect(compileDecoding(row))
  // A page in one parse: a fiber step per row cost about as much as decoding it.
  const decodeRows = Schema.decodeUnknownEffect(compileDecoding(Schema.Array(row)))
  const encodeInsert = Schema.encodeEffect(insert)
  // Each field's own codec, so an update encodes only the fields it carries.
  const updateCodecs = new Map(
    Object.entries(model.update.fields).map(([k, f]) => [
      k,
      Schema.encodeUnknownEffect(f as Schema.Codec<unknown, unknown>),
    ]),
  )
  const list = (fields: Schema.Struct.Fields) => Object.keys(fields).map(snakeCase).join(", ")
  const insertColumns = list(model.insert.fields)
  // Qualified: a joined table may have columns of the same names.
  const givenColumns = Object.keys(model.insert.fields)
    .map((k) => `given.${snakeCase(k)}`)
    .join(", ")

  const insertStatement = (
    sql: SqlClient,
    values: ReadonlyArray<M["insert"]["Type"]>,
    options: { readonly join?: Fragment; readonly where?: Fragment; readonly tail?: Fragment } = {},
  ) =>
    Effect.forEach(values, (v) => encodeInsert(v)).pipe(
      Effect.orDie,
      Effect.map((encoded) => {
        const rows = sql`jsonb_populate_recordset(NULL::${sql(name)}, ${JSON.stringify(encoded)}::jsonb)`
        const join = options.join === undefined ? sql`` : sql`, ${options.join}`
        const where = options.where === undefined ? sql`` : sql`WHERE ${options.where}`
        return sql`
          INSERT INTO ${sql(name)} (${sql.literal(insertColumns)})
          SELECT ${sql.literal(givenColumns)} FROM ${rows} WITH ORDINALITY AS given ${join} ${where}
          ORDER BY given.ordinality ${options.tail ?? sql``}`
      }),
    )

  const decode = (value: unknown): Effect.Effect<M["Type"]> =>
    decodeRow(toFields(value)).pipe(
      Effect.mapError((e) => new Error(`a ${name} row does not match its model: ${e.message}`)),
      Effect.orDie,
    )

  return {
    name,
    columns: list(model.fields),
    insertColumns,
    /** The column name of a field. */
    column: (field: keyof M["fields"] & string) => snakeCase(field),
    decode,
    decodeAll: (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<M["Type"]>> =>
      decodeRows(rows.map(toFields)).pipe(
        Effect.mapError((e) => new Error(`a ${name} row does not match its model: ${e.message}`)),
        Effect.orDie,
      ),
    /** The first row, if any (a lookup by key). */
    decodeFirst: (rows: ReadonlyArray<unknown>): Effect.Effect<Option.Option<M["Type"]>> =>
      rows.length === 0 ? Effect.succeedNone : Effect.asSome(decode(rows[0])),
    /** The one row a statement must return (`INSERT … RETURNING` of one row); none is a defect. */
    decodeSingle: (rows: ReadonlyArray<unknown>): Effect.Effect<M["Type"]> =>
      rows.length === 1
        ? decode(rows[0])
        : Effect.die(new Error(`expected one ${name} row, got ${rows.length}`)),
    /**
     * `col = value, …` for the fields given (undefined ones are left out), encoded by the model: for
     * `UPDATE table SET ${set}, …`. At least one field must be given.
     */
    set: (sql: SqlClient, values: Partial<M["update"]["Type"]>): Effect.Effect<RecordUpdateHelperSingle> =>
      Effect.forEach(
        Object.entries(values).filter(([, v]) => v !== undefined),
        ([field, value]) => {
          const encode = updateCodecs.get(field)
          return encode === undefined
            ? Effect.die(new Error(`${field} is not an updatable field of ${name}`))
            : Effect.map(Effect.orDie(encode(value)), (encoded) => [snakeCase(field), encoded] as const)
        },
      ).pipe(Effect.map((pairs) => sql.update(Object.fromEntries(pairs)))),
    /**
     * `INSERT INTO table (…) SELECT … FROM <values> AS given`, in the order given, then `tail` (`ON CONFLICT …`,
     * `RETURNING …`). `join` adds a FROM item evaluated before any row is inserted (e.g. a lock, or a table the
     * rows must match), `where` a condition on the rows (`given.<column>`) and the joined items.
     */
    insert: (
      sql: SqlClient,
      values: ReadonlyArray<M["insert"]["Type"]>,
      options: { readonly join?: Fragment; readonly where?: Fragment; readonly tail?: Fragment } = {},
    ): Effect.Effect<ReadonlyArray<unknown>, SqlError> =>
      insertStatement(sql, values, options).pipe(Effect.flatten),
    /** The same INSERT as `insert`, not run: to be part of a larger statement (a `WITH` item). */
    insertStatement,
  }
}
