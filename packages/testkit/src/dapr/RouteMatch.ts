import { GoBytes, type GoValue, isGoObject, JsonNumber } from "./GoJson.ts"

/**
 * The subset of CEL used in subscription routing rules (DAPR.md §2: `routes.rules[].match`, evaluated over the
 * CloudEvent as `event`, e.g. `event.type == "tasks.deleted"`).
 *
 * Supported: `event.<field>[.<field>…]`, string/number/bool literals, `==`, `!=`, `!`, `&&`, `||`, parentheses.
 * Anything else is rejected when the subscriptions are read, with an error naming the expression, so a test never
 * silently routes differently from daprd.
 *
 * Evaluation follows CEL where it matters here: a missing field is an evaluation error (daprd then dead-letters the
 * event if a DLQ is set, else retries it: R: subscription.go `findMatchingRoute`), values of different types are
 * simply unequal, and `&&`/`||` absorb an error when the other side decides the result.
 */
export class RouteMatchSyntaxError extends Error {
  override readonly name = "RouteMatchSyntaxError"
}
export class RouteMatchEvalError extends Error {
  override readonly name = "RouteMatchEvalError"
}

type Literal = string | number | boolean | null
type Node =
  | { readonly kind: "literal"; readonly value: Literal }
  | { readonly kind: "path"; readonly fields: readonly string[] }
  | { readonly kind: "not"; readonly operand: Node }
  | { readonly kind: "cmp"; readonly op: "==" | "!="; readonly left: Node; readonly right: Node }
  | { readonly kind: "logic"; readonly op: "&&" | "||"; readonly left: Node; readonly right: Node }

type Token =
  | { readonly t: "ident"; readonly v: string }
  | { readonly t: "string"; readonly v: string }
  | { readonly t: "number"; readonly v: number }
  | { readonly t: "op"; readonly v: string }

const tokenize = (src: string): Token[] => {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const ch = src[i] ?? ""
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const two = src.slice(i, i + 2)
    if (two === "==" || two === "!=" || two === "&&" || two === "||") {
      tokens.push({ t: "op", v: two })
      i += 2
      continue
    }
    if ("().!".includes(ch)) {
      tokens.push({ t: "op", v: ch })
      i++
      continue
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1
      let value = ""
      const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" }
      for (; j < src.length && src[j] !== ch; j++) {
        if (src[j] === "\\") {
          const e = escapes[src[j + 1] ?? ""]
          if (e === undefined) throw new RouteMatchSyntaxError(`unsupported escape in string literal at ${j}`)
          value += e
          j++
        } else value += src[j]
      }
      if (j >= src.length) throw new RouteMatchSyntaxError("unterminated string literal")
      tokens.push({ t: "string", v: value })
      i = j + 1
      continue
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i))
    if (num && (ch === "-" || /\d/.test(ch))) {
      tokens.push({ t: "number", v: Number(num[0]) })
      i += num[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))
    if (ident) {
      tokens.push({ t: "ident", v: ident[0] })
      i += ident[0].length
      continue
    }
    throw new RouteMatchSyntaxError(`unsupported character ${JSON.stringify(ch)} at ${i}`)
  }
  return tokens
}

class Compiler {
  readonly tokens: Token[]
  pos = 0
  constructor(tokens: Token[]) {
    this.tokens = tokens
  }
  peekOp(v: string) {
    const tok = this.tokens[this.pos]
    return tok?.t === "op" && tok.v === v
  }
  expectOp(v: string) {
    if (!this.peekOp(v)) throw new RouteMatchSyntaxError(`expected ${JSON.stringify(v)} at token ${this.pos}`)
    this.pos++
  }
  or(): Node {
    let left = this.and()
    while (this.peekOp("||")) {
      this.pos++
      left = { kind: "logic", op: "||", left, right: this.and() }
    }
    return left
  }
  and(): Node {
    let left = this.unary()
    while (this.peekOp("&&")) {
      this.pos++
      left = { kind: "logic", op: "&&", left, right: this.unary() }
    }
    return left
  }
  unary(): Node {
    if (this.peekOp("!")) {
      this.pos++
      return { kind: "not", operand: this.unary() }
    }
    return this.comparison()
  }
  comparison(): Node {
    const left = this.operand()
    for (const op of ["==", "!="] as const) {
      if (this.peekOp(op)) {
        this.pos++
        return { kind: "cmp", op, left, right: this.operand() }
      }
    }
    return left
  }
  operand(): Node {
    const tok = this.tokens[this.pos]
    if (tok === undefined) throw new RouteMatchSyntaxError("unexpected end of expression")
    if (tok.t === "op" && tok.v === "(") {
      this.pos++
      const inner = this.or()
      this.expectOp(")")
      return inner
    }
    this.pos++
    if (tok.t === "string" || tok.t === "number") return { kind: "literal", value: tok.v }
    if (tok.t === "ident") {
      if (tok.v === "true" || tok.v === "false") return { kind: "literal", value: tok.v === "true" }
      if (tok.v === "null") return { kind: "literal", value: null }
      if (tok.v !== "event")
        throw new RouteMatchSyntaxError(`unsupported identifier ${JSON.stringify(tok.v)}`)
      const fields: string[] = []
      while (this.peekOp(".")) {
        this.pos++
        const field = this.tokens[this.pos]
        if (field?.t !== "ident") throw new RouteMatchSyntaxError("expected a field name after '.'")
        fields.push(field.v)
        this.pos++
      }
      if (this.peekOp("(")) throw new RouteMatchSyntaxError("function calls are not supported")
      return { kind: "path", fields }
    }
    throw new RouteMatchSyntaxError(`unexpected ${JSON.stringify(tok.v)}`)
  }
}

type Value = Literal | { readonly other: true }

const toValue = (v: GoValue): Value => {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v
  if (v instanceof JsonNumber) return Number(v.literal)
  if (v instanceof GoBytes) return Buffer.from(v.bytes).toString("utf8")
  return { other: true }
}

const evaluate = (node: Node, event: GoValue): Value => {
  switch (node.kind) {
    case "literal":
      return node.value
    case "path": {
      let cur: GoValue = event
      for (const f of node.fields) {
        if (!isGoObject(cur) || !cur.has(f)) throw new RouteMatchEvalError(`no such key: ${f}`)
        cur = cur.get(f) ?? null
      }
      return toValue(cur)
    }
    case "not": {
      const v = evaluate(node.operand, event)
      if (typeof v !== "boolean") throw new RouteMatchEvalError("no matching overload for '!_'")
      return !v
    }
    case "cmp": {
      const l = evaluate(node.left, event)
      const r = evaluate(node.right, event)
      const equal = typeof l !== "object" || l === null ? l === r : false
      return node.op === "==" ? equal : !equal
    }
    case "logic": {
      const side = (n: Node): boolean | RouteMatchEvalError => {
        try {
          const v = evaluate(n, event)
          if (typeof v !== "boolean") return new RouteMatchEvalError(`no matching overload for '${node.op}'`)
          return v
        } catch (e) {
          if (e instanceof RouteMatchEvalError) return e
          throw e
        }
      }
      const decisive = node.op === "||"
      const l = side(node.left)
      if (l === decisive) return decisive
      const r = side(node.right)
      if (r === decisive) return decisive
      if (l instanceof RouteMatchEvalError) throw l
      if (r instanceof RouteMatchEvalError) throw r
      return !decisive
    }
  }
}

export interface RouteMatcher {
  readonly expression: string
  /** True/false, or throws RouteMatchEvalError as CEL would fail at runtime. */
  readonly matches: (event: GoValue) => boolean
}

/** Compiles a rule's `match` (already trimmed and non-empty); throws RouteMatchSyntaxError when not supported. */
export const compileRouteMatch = (expression: string): RouteMatcher => {
  let ast: Node
  try {
    const c = new Compiler(tokenize(expression))
    ast = c.or()
    if (c.pos !== c.tokens.length) throw new RouteMatchSyntaxError(`unexpected token at ${c.pos}`)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    throw new RouteMatchSyntaxError(
      `[dapr-sim] routing rule ${JSON.stringify(expression)} is outside the supported CEL subset ` +
        `(event.<field> compared with ==/!= to literals, combined with !, &&, ||): ${why}`,
    )
  }
  return {
    expression,
    matches: (event) => {
      const v = evaluate(ast, event)
      if (typeof v !== "boolean")
        throw new RouteMatchEvalError(`the result of match expression ${expression} was not a boolean`)
      return v
    },
  }
}
