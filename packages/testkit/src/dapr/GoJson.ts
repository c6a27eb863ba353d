/**
 * Go `encoding/json` as daprd applies it to events, so the simulator produces byte-identical envelopes.
 *
 * Why not JSON.parse/JSON.stringify: daprd decodes the published body with `Decoder.UseNumber` (numbers keep their
 * literal text, C: pubsub/envelope.go `unmarshalPrecise`), reads only the first JSON value of a body (Decoder
 * semantics: trailing bytes are ignored), and re-encodes with `json.Marshal` of a map: compact, keys sorted, and
 * `<`, `>`, `&`, U+2028, U+2029 escaped (DAPR.md §1 "Serialised with Go json.Marshal", §8b note).
 */

/** A JSON number kept as its literal text (Go `json.Number`). */
export class JsonNumber {
  readonly literal: string
  constructor(literal: string) {
    this.literal = literal
  }
}

/**
 * A Go `string(bytes)` that may hold invalid UTF-8: json.Marshal writes each invalid byte as the escape `\ufffd`
 * (text payloads are embedded this way, C: pubsub/envelope.go `ceData = string(data)`).
 */
export class GoBytes {
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
}

export type GoValue = null | boolean | string | JsonNumber | GoBytes | GoValue[] | GoObject
/** A decoded JSON object (Go `map[string]any`): duplicate keys keep the last value. */
export type GoObject = Map<string, GoValue>

export class GoJsonSyntaxError extends Error {
  override readonly name = "GoJsonSyntaxError"
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39
const hexValue = (c: number | undefined): number => {
  if (c === undefined) return -1
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

/**
 * Go's `utf8.DecodeRune`: the code point and its byte length, or `-1` with length 1 for any invalid or truncated
 * sequence (overlong forms, surrogates and values above U+10FFFF included).
 */
export const decodeRune = (b: Uint8Array, i: number): { readonly cp: number; readonly size: number } => {
  const b0 = b[i] ?? 0
  if (b0 < 0x80) return { cp: b0, size: 1 }
  const cont = (j: number, lo = 0x80, hi = 0xbf) => {
    const c = b[i + j]
    return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1)
    return c1 < 0 ? { cp: -1, size: 1 } : { cp: ((b0 & 0x1f) << 6) | c1, size: 2 }
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf)
    const c2 = c1 < 0 ? -1 : cont(2)
    return c2 < 0 ? { cp: -1, size: 1 } : { cp: ((b0 & 0x0f) << 12) | (c1 << 6) | c2, size: 3 }
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf)
    const c2 = c1 < 0 ? -1 : cont(2)
    const c3 = c2 < 0 ? -1 : cont(3)
    return c3 < 0 ? { cp: -1, size: 1 } : { cp: ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, size: 4 }
  }
  return { cp: -1, size: 1 }
}

class Parser {
  readonly b: Uint8Array
  pos = 0
  constructor(bytes: Uint8Array) {
    this.b = bytes
  }

  fail(what: string): never {
    if (this.pos >= this.b.length) throw new GoJsonSyntaxError("unexpected end of JSON input")
    throw new GoJsonSyntaxError(
      `invalid character ${JSON.stringify(String.fromCharCode(this.b[this.pos] ?? 0))} ${what}`,
    )
  }

  skipSpace() {
    while (this.pos < this.b.length && isSpace(this.b[this.pos] ?? 0)) this.pos++
  }

  value(): GoValue {
    this.skipSpace()
    const c = this.b[this.pos]
    if (c === undefined) throw new GoJsonSyntaxError("unexpected end of JSON input")
    if (c === 0x7b) return this.object()
    if (c === 0x5b) return this.array()
    if (c === 0x22) return this.string()
    if (c === 0x74) return this.literal("true", true)
    if (c === 0x66) return this.literal("false", false)
    if (c === 0x6e) return this.literal("null", null)
    if (c === 0x2d || isDigit(c)) return this.number()
    return this.fail("looking for beginning of value")
  }

  literal<T extends GoValue>(text: string, result: T): T {
    for (let k = 0; k < text.length; k++) {
      if (this.b[this.pos] !== text.charCodeAt(k)) this.fail(`in literal ${text}`)
      this.pos++
    }
    return result
  }

  number(): JsonNumber {
    const start = this.pos
    if (this.b[this.pos] === 0x2d) this.pos++
    if (this.b[this.pos] === 0x30) this.pos++
    else if (isDigit(this.b[this.pos])) while (isDigit(this.b[this.pos])) this.pos++
    else this.fail("in numeric literal")
    if (this.b[this.pos] === 0x2e) {
      this.pos++
      if (!isDigit(this.b[this.pos])) this.fail("after decimal point in numeric literal")
      while (isDigit(this.b[this.pos])) this.pos++
    }
    if (this.b[this.pos] === 0x65 || this.b[this.pos] === 0x45) {
      this.pos++
      if (this.b[this.pos] === 0x2b || this.b[this.pos] === 0x2d) this.pos++
      if (!isDigit(this.b[this.pos])) this.fail("in exponent of numeric literal")
      while (isDigit(this.b[this.pos])) this.pos++
    }
    return new JsonNumber(Buffer.from(this.b.subarray(start, this.pos)).toString("latin1"))
  }

  hex4(at: number): number {
    let v = 0
    for (let k = 0; k < 4; k++) {
      const h = hexValue(this.b[at + k])
      if (h < 0) return -1
      v = v * 16 + h
    }
    return v
  }

  /** Go's `unquote`: invalid UTF-8 bytes and unpaired surrogate escapes become U+FFFD. */
  string(): string {
    this.pos++
    const out: number[] = []
    for (;;) {
      const c = this.b[this.pos]
      if (c === undefined) throw new GoJsonSyntaxError("unexpected end of JSON input")
      if (c === 0x22) {
        this.pos++
        let s = ""
        for (let k = 0; k < out.length; k += 4096) s += String.fromCodePoint(...out.slice(k, k + 4096))
        return s
      }
      if (c < 0x20) this.fail("in string literal")
      if (c === 0x5c) {
        const e = this.b[this.pos + 1]
        const simple: Record<number, number> = {
          34: 0x22,
          92: 0x5c,
          47: 0x2f,
          98: 8,
          102: 12,
          110: 10,
          114: 13,
          116: 9,
        }
        if (e !== undefined && simple[e] !== undefined) {
          out.push(simple[e] ?? 0)
          this.pos += 2
          continue
        }
        if (e !== 0x75) {
          this.pos++
          this.fail("in string escape code")
        }
        let r = this.hex4(this.pos + 2)
        if (r < 0) {
          this.pos += 2
          this.fail("in \\u hexadecimal character escape")
        }
        this.pos += 6
        if (r >= 0xd800 && r < 0xe000) {
          const low =
            this.b[this.pos] === 0x5c && this.b[this.pos + 1] === 0x75 ? this.hex4(this.pos + 2) : -1
          if (r < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
            r = 0x10000 + ((r - 0xd800) << 10) + (low - 0xdc00)
            this.pos += 6
          } else r = 0xfffd
        }
        out.push(r)
        continue
      }
      if (c < 0x80) {
        out.push(c)
        this.pos++
        continue
      }
      const { cp, size } = decodeRune(this.b, this.pos)
      out.push(cp < 0 ? 0xfffd : cp)
      this.pos += size
    }
  }

  object(): GoObject {
    this.pos++
    const map: GoObject = new Map()
    this.skipSpace()
    if (this.b[this.pos] === 0x7d) {
      this.pos++
      return map
    }
    for (;;) {
      this.skipSpace()
      if (this.b[this.pos] !== 0x22) this.fail("looking for beginning of object key string")
      const key = this.string()
      this.skipSpace()
      if (this.b[this.pos] !== 0x3a) this.fail("after object key")
      this.pos++
      map.set(key, this.value())
      this.skipSpace()
      if (this.b[this.pos] === 0x2c) {
        this.pos++
        continue
      }
      if (this.b[this.pos] === 0x7d) {
        this.pos++
        return map
      }
      this.fail("after object key:value pair")
    }
  }

  array(): GoValue[] {
    this.pos++
    const items: GoValue[] = []
    this.skipSpace()
    if (this.b[this.pos] === 0x5d) {
      this.pos++
      return items
    }
    for (;;) {
      items.push(this.value())
      this.skipSpace()
      if (this.b[this.pos] === 0x2c) {
        this.pos++
        continue
      }
      if (this.b[this.pos] === 0x5d) {
        this.pos++
        return items
      }
      this.fail("after array element")
    }
  }
}

/**
 * `json.NewDecoder(r).Decode(&v)`: the first JSON value of the input; whatever follows it is not read.
 * Empty or blank input fails (Go returns io.EOF).
 */
export const decodeFirst = (bytes: Uint8Array): GoValue => new Parser(bytes).value()

/** `json.Unmarshal`: the whole input must be one JSON value (surrounding whitespace allowed). */
export const unmarshal = (bytes: Uint8Array): GoValue => {
  const p = new Parser(bytes)
  const v = p.value()
  p.skipSpace()
  if (p.pos < bytes.length) p.fail("after top-level value")
  return v
}

const HEX = "0123456789abcdef"

/** Go's `appendString` with HTML escaping on, applied to raw bytes (invalid bytes become the text `\ufffd`). */
const quoteBytes = (b: Uint8Array): string => {
  let s = '"'
  for (let i = 0; i < b.length; ) {
    const c = b[i] ?? 0
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`
      else if (c === 0x08) s += "\\b"
      else if (c === 0x0c) s += "\\f"
      else if (c === 0x0a) s += "\\n"
      else if (c === 0x0d) s += "\\r"
      else if (c === 0x09) s += "\\t"
      else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) s += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`
      else s += String.fromCharCode(c)
      i++
      continue
    }
    const { cp, size } = decodeRune(b, i)
    if (cp < 0) s += "\\ufffd"
    else if (cp === 0x2028 || cp === 0x2029) s += `\\u202${HEX[cp & 0xf]}`
    else s += String.fromCodePoint(cp)
    i += size
  }
  return `${s}"`
}

/** A Go JSON string literal for a JS string (lone surrogates cannot exist in Go strings: they become U+FFFD). */
export const quote = (s: string): string => quoteBytes(Buffer.from(s, "utf8"))

/** Go sorts map keys by their UTF-8 bytes, which is code-point order (not JS's UTF-16 order). */
const compareKeys = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))

const encode = (v: GoValue): string => {
  if (v === null) return "null"
  if (v === true) return "true"
  if (v === false) return "false"
  if (typeof v === "string") return quote(v)
  if (v instanceof JsonNumber) return v.literal
  if (v instanceof GoBytes) return quoteBytes(v.bytes)
  if (Array.isArray(v)) return `[${v.map(encode).join(",")}]`
  const keys = [...v.keys()].sort(compareKeys)
  return `{${keys.map((k) => `${quote(k)}:${encode(v.get(k) ?? null)}`).join(",")}}`
}

/** `json.Marshal` of a map-shaped value: compact, sorted keys, HTML-safe escaping. */
export const marshal = (v: GoValue): Buffer => Buffer.from(encode(v), "utf8")

/** Builds a GoObject from plain entries (convenience for envelopes and error bodies). */
export const goObject = (entries: Iterable<readonly [string, GoValue]>): GoObject => new Map(entries)

export const isGoObject = (v: GoValue | undefined): v is GoObject => v instanceof Map
