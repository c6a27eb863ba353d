/**
 * The bits of Go's net/http and net/url that shape what daprd reads and sends, so edge cases behave as in daprd.
 */

const unescapeQueryComponent = (s: string): string | undefined => {
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? ""
    if (ch === "+") bytes.push(0x20)
    else if (ch === "%") {
      const hex = s.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else bytes.push(...Buffer.from(ch, "utf8"))
  }
  return Buffer.from(bytes).toString("utf8")
}

/**
 * Go's `url.ParseQuery` as used by `r.URL.Query()`: pairs containing `;` or a bad `%` escape are skipped (Go reports
 * an error that daprd ignores), `+` is a space. Returns the pairs in request order.
 */
export const parseGoQuery = (rawQuery: string): ReadonlyArray<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = []
  for (const part of rawQuery.split("&")) {
    if (part === "" || part.includes(";")) continue
    const eq = part.indexOf("=")
    const key = unescapeQueryComponent(eq < 0 ? part : part.slice(0, eq))
    const value = unescapeQueryComponent(eq < 0 ? "" : part.slice(eq + 1))
    if (key === undefined || value === undefined) continue
    pairs.push([key, value])
  }
  return pairs
}

/**
 * daprd's `getMetadataFromRequest` (R: pkg/api/http/http.go): every `metadata.X` query parameter, prefix stripped,
 * first value wins (DAPR.md §1 "Metadata").
 */
export const metadataFromQuery = (rawQuery: string): Map<string, string> => {
  const metadata = new Map<string, string>()
  for (const [key, value] of parseGoQuery(rawQuery)) {
    if (!key.startsWith("metadata.")) continue
    const name = key.slice("metadata.".length)
    if (!metadata.has(name)) metadata.set(name, value)
  }
  return metadata
}

/** Go's `path.Clean` (daprd cleans request paths and delivery routes, DAPR.md §2 "path cleaned"). */
export const goPathClean = (p: string): string => {
  if (p === "") return "."
  const rooted = p.startsWith("/")
  const out: string[] = []
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop()
      else if (!rooted) out.push("..")
      continue
    }
    out.push(seg)
  }
  const joined = out.join("/")
  if (rooted) return `/${joined}`
  return joined === "" ? "." : joined
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Go's `textproto.CanonicalMIMEHeaderKey`: daprd adds delivery headers with `Header.Add`, so `partitionKey` goes on
 * the wire as `Partitionkey` (apps see lower case in Node anyway). Names with non-token bytes are left as they are.
 */
export const canonicalHeaderKey = (name: string): string => {
  if (!TOKEN.test(name)) return name
  let upper = true
  let out = ""
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase()
    upper = ch === "-"
  }
  return out
}

/**
 * Header values travel as bytes: Go writes a string's UTF-8 bytes verbatim, Node's http wants a latin1 string for
 * raw bytes. The app then sees what it would see behind a real daprd.
 */
export const headerValueBytes = (value: string): string => Buffer.from(value, "utf8").toString("latin1")
