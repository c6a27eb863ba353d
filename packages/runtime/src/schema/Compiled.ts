import { SchemaAST, type Schema } from "effect"
import * as SchemaJITCompiler from "effect/schema/SchemaJITCompiler"

/**
 * Effect's JIT compiler for Schema parsing (`effect/schema/SchemaJITCompiler`), switched on for the schemas of the
 * hot paths only: every request's answer, every row read. It turns a schema's walk into a function generated once
 * from the same AST, with the same checks and transformations (what it cannot generate stays interpreted), so the
 * schema stays the one source of truth. The interpreter's generic walk was most of the cost of decoding a page of
 * rows and of encoding the answer (docs/BENCHMARKS.md, "Issue 17: reads").
 *
 * A parser captures its compiled form when it is made: call these before `Schema.decode…` / `Schema.encode…`.
 * The JIT generates code with `new Function`; where that is refused it keeps interpreting.
 */

/** Decoding `schema` (Encoded → Type) is compiled, for parsers made from now on. */
export const compileDecoding = <S extends Schema.Top>(schema: S): S => {
  SchemaJITCompiler.enable(schema.ast)
  return schema
}

/** Encoding `schema` (Type → Encoded: a decoding of its flipped AST) is compiled, for encoders made from now on. */
export const compileEncoding = <S extends Schema.Top>(schema: S): S => {
  SchemaJITCompiler.enable(SchemaAST.flip(schema.ast))
  return schema
}
