import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto"
import { keysetPage } from "@todo/runtime"
import { Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { InvalidCursor } from "./Errors.ts"

/**
 * Keyset pagination cursors: the sort key and id of the last row of a page, bound to the sort and filters they
 * were made for, as base64url JSON followed by an HMAC of it. Opaque to clients. A cursor is only read back when
 * its MAC is ours, and then its values are decoded with the schema of the list that made it, so what reaches SQL
 * is always a value of the right type: a forged, tampered or foreign cursor is a 400, never a wrong page or a 500.
 */

/**
 * The HMAC key cursors are signed with. A process that provides none (the agent, which answers no list) signs with
 * a random key of its own; the API derives it from the server's secret ({@link cursorKeyFromSecret}), so every
 * replica reads every other's cursors, across restarts.
 */
export const CursorKey = Context.Reference<Uint8Array>("@todo/core/CursorKey", {
  defaultValue: () => new Uint8Array(randomBytes(32)),
})

/** The cursor key derived from the server's secret (HKDF-SHA256), apart from anything else derived from it. */
export const cursorKeyFromSecret = (secret: Redacted.Redacted<string>) =>
  Layer.succeed(
    CursorKey,
    new Uint8Array(hkdfSync("sha256", Redacted.value(secret), "todo-app", "pagination cursor v1", 32)),
  )

/** What a list's cursors hold: the sort key (`v`) and the row id, each with its schema. */
export interface CursorSpec<V> {
  /** Binds a cursor to the sort and filters it was made for. */
  readonly signature: string
  readonly value: Schema.Codec<V, unknown>
  readonly id: Schema.Codec<string, unknown>
}

/** A UUID row id. */
export const UuidId = Schema.String.check(Schema.isUUID())
/** A bigint identity as decimal text (the outbox's ids). */
export const SerialId = Schema.String.check(Schema.isPattern(/^[1-9]\d{0,18}$/))
/** A timestamp as `isoMicros` writes it (TaskQuery.ts): ISO 8601 UTC with microseconds. */
export const MicrosInstant = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
)
/** `Date.prototype.toISOString`. */
export const MillisInstant = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
)

const MAC_BYTES = 16

const cursorKey = Effect.gen(function* () {
  return yield* CursorKey
})

const mac = (key: Uint8Array, payload: string) =>
  createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES)

const Envelope = Schema.fromJsonString(
  Schema.Struct({ s: Schema.String, v: Schema.Unknown, id: Schema.Unknown }),
)
const decodeEnvelope = Schema.decodeUnknownOption(Envelope)

export const encodeCursor = (key: Uint8Array, payload: { s: string; v: unknown; id: string }): string => {
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")
  return `${body}.${mac(key, body).toString("base64url")}`
}

const malformed = () =>
  new InvalidCursor({ message: "The cursor is malformed or was not made by this server." })

/** Reads a cursor made for `spec`; fails with InvalidCursor for anything else. */
export const decodeCursor = <V>(
  cursor: string,
  spec: CursorSpec<V>,
): Effect.Effect<{ readonly v: V; readonly id: string }, InvalidCursor> =>
  Effect.flatMap(cursorKey, (key) => {
    const [body, tag, ...rest] = cursor.split(".")
    if (body === undefined || tag === undefined || rest.length > 0) return Effect.fail(malformed())
    const given = Buffer.from(tag, "base64url")
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, body))) return Effect.fail(malformed())
    const envelope = decodeEnvelope(Buffer.from(body, "base64url").toString("utf8"))
    if (Option.isNone(envelope)) return Effect.fail(malformed())
    if (envelope.value.s !== spec.signature) {
      return Effect.fail(new InvalidCursor({ message: "The cursor belongs to a different sort or filter." }))
    }
    const v = Schema.decodeUnknownOption(spec.value)(envelope.value.v)
    const id = Schema.decodeUnknownOption(spec.id)(envelope.value.id)
    if (Option.isNone(v) || Option.isNone(id)) return Effect.fail(malformed())
    return Effect.succeed({ v: v.value, id: id.value })
  })

/**
 * The page a keyset query fetched: it asked for `limit + 1` rows ordered by (cursor key, id); the extra row only
 * tells that another page exists, and the last row kept names where it starts.
 */
export const pageOf = <Row extends { readonly id: string }, Item>(
  rows: ReadonlyArray<Row>,
  limit: number,
  signature: string,
  key: (row: Row) => string | number | null,
  toItem: (row: Row) => Item,
) =>
  Effect.map(cursorKey, (macKey) => {
    const page = keysetPage(rows, limit, key, toItem)
    return {
      items: page.items,
      nextCursor:
        page.next === null
          ? null
          : encodeCursor(macKey, { s: signature, v: page.next.key, id: page.next.id }),
    }
  })
