/**
 * Just enough of protobuf's wire format to read an OTLP ExportTraceServiceRequest (what daprd's OTLP/HTTP exporter
 * sends, `application/x-protobuf`) into the same shape as OTLP/JSON. Field numbers from opentelemetry-proto
 * (collector/trace/v1, trace/v1, common/v1, resource/v1).
 */

interface Field {
  readonly no: number
  readonly wire: number
  readonly varint?: bigint
  readonly bytes?: Uint8Array
}

const fields = (buf: Uint8Array): Array<Field> => {
  const out: Array<Field> = []
  let pos = 0
  const varint = () => {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = buf[pos++]
      if (b === undefined) throw new Error("truncated varint")
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
      shift += 7n
    }
  }
  while (pos < buf.length) {
    const key = Number(varint())
    const no = key >>> 3
    const wire = key & 7
    if (wire === 0) out.push({ no, wire, varint: varint() })
    else if (wire === 2) {
      const len = Number(varint())
      out.push({ no, wire, bytes: buf.subarray(pos, pos + len) })
      pos += len
    } else if (wire === 1) {
      out.push({ no, wire, bytes: buf.subarray(pos, pos + 8) })
      pos += 8
    } else if (wire === 5) {
      out.push({ no, wire, bytes: buf.subarray(pos, pos + 4) })
      pos += 4
    } else throw new Error(`unsupported wire type ${wire}`)
  }
  return out
}

const all = (buf: Uint8Array, no: number) => fields(buf).filter((f) => f.no === no)
const one = (buf: Uint8Array, no: number) => all(buf, no)[0]
const text = (f: Field | undefined) => (f?.bytes ? new TextDecoder().decode(f.bytes) : undefined)
const hex = (f: Field | undefined) =>
  f?.bytes && f.bytes.length > 0 ? Buffer.from(f.bytes).toString("hex") : undefined

// AnyValue: 1 string, 2 bool, 3 int, 4 double.
const anyValue = (buf: Uint8Array) => {
  const [f] = fields(buf)
  if (!f) return {}
  if (f.no === 1) return { stringValue: text(f) }
  if (f.no === 2) return { boolValue: f.varint === 1n }
  if (f.no === 3) return { intValue: String(BigInt.asIntN(64, f.varint ?? 0n)) }
  if (f.no === 4 && f.bytes) return { doubleValue: Buffer.from(f.bytes).readDoubleLE(0) }
  return {}
}

// KeyValue: 1 key, 2 value.
const attributes = (buf: Uint8Array, no: number) =>
  all(buf, no).map((kv) => ({
    key: text(one(kv.bytes!, 1)) ?? "",
    value: anyValue(one(kv.bytes!, 2)?.bytes ?? new Uint8Array()),
  }))

/** ExportTraceServiceRequest → { resourceSpans: [...] } as OTLP/JSON would give it (ids in hex). */
export const decodeTraceRequest = (buf: Uint8Array) => ({
  // ResourceSpans: 1 resource (Resource: 1 attributes), 2 scope_spans (ScopeSpans: 2 spans).
  resourceSpans: all(buf, 1).map((rs) => ({
    resource: { attributes: attributes(one(rs.bytes!, 1)?.bytes ?? new Uint8Array(), 1) },
    scopeSpans: all(rs.bytes!, 2).map((ss) => ({
      // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes.
      spans: all(ss.bytes!, 2).map((s) => ({
        traceId: hex(one(s.bytes!, 1)) ?? "",
        spanId: hex(one(s.bytes!, 2)) ?? "",
        parentSpanId: hex(one(s.bytes!, 4)),
        name: text(one(s.bytes!, 5)) ?? "",
        kind: Number(one(s.bytes!, 6)?.varint ?? 0n),
        attributes: attributes(s.bytes!, 9),
      })),
    })),
  })),
})

/** How many spans an ExportTraceServiceRequest holds, without decoding them (for a collector that only counts). */
export const countTraceRequestSpans = (buf: Uint8Array): number => {
  let spans = 0
  for (const rs of all(buf, 1)) for (const ss of all(rs.bytes!, 2)) spans += all(ss.bytes!, 2).length
  return spans
}
