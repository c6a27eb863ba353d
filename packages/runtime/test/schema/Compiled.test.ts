import { assert, describe, it } from "@effect/vitest"
import { TaskPage } from "@todo/contracts"
import { Arbitrary, Effect, Exit, Schema } from "effect"
import { compileEncoding } from "../../src/schema/Compiled.ts"

/**
 * The answers of the list (a page of tasks) are encoded by a compiled encoder (ContractRouter); it must answer what the
 * interpreter answers, to the byte, and refuse what it refuses. The interpreter's answers are taken first, before
 * the compiler is switched on for the schema, from pages the schema itself generates, each also spoilt in one of
 * the ways a handler could get wrong (a check broken, a key the contract does not declare).
 */
type Page = typeof TaskPage.Type

const spoilt = (page: Page, i: number): unknown => {
  const [first, ...rest] = page.items
  if (first === undefined) return { ...page, nextCursor: i % 2 === 0 ? "not a cursor!" : page.nextCursor }
  const spoil = [
    { version: 0 },
    { id: "not-a-uuid" },
    { estimateMinutes: 1441 },
    { priority: "someday" },
    { tags: ["ok", 42] },
    { userId: "0b8e2b1e-5f3c-4c59-9f0e-3d2a8f6c1a47", prioritySetAt: null },
  ][i % 6]
  return { ...page, items: [{ ...first, ...spoil }, ...rest] }
}

const outcome = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { ok: true, json: JSON.stringify(exit.value) }
    : { ok: false, issue: String(exit.cause) }

describe("compiled answer encoding", () => {
  it.effect("a page of tasks encodes as the interpreter encodes it, valid or not", () =>
    Effect.gen(function* () {
      const pages = yield* Arbitrary.sampleEffect(Arbitrary.schema(TaskPage), { count: 300, seed: 17 })
      const inputs = pages.flatMap((page, i) => [page, spoilt(page, i)])
      const interpreted = Schema.encodeUnknownExit(TaskPage)
      const expected = inputs.map((input) => outcome(interpreted(input)))

      const compiled = Schema.encodeUnknownExit(compileEncoding(TaskPage))
      const actual = inputs.map((input) => outcome(compiled(input)))

      assert.deepStrictEqual(actual, expected)
      // The samples reach both sides of every check: pages with items, valid pages, refused ones.
      assert.isTrue(pages.filter((p) => p.items.length > 0).length > 100)
      assert.isTrue(expected.filter((e) => e.ok).length > 300)
      assert.isTrue(expected.filter((e) => !e.ok).length > 150)
    }),
  )
})
