import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT } from "../src/Processes.ts"
import { repoFiles } from "./support/repoFiles.ts"

/**
 * What the test code itself must not do (issue 14): write the process's environment (the shared-worker projects in
 * vitest.workspace.ts rely on no test changing process-wide state; configuration goes through a ConfigProvider
 * layer or a child process's own env), reach into Effect's internals, or stand in for a service with an empty
 * object cast to it (Layer.mock fails loudly on an unexpected call instead).
 */

const TEST_ROOTS = ["contracts/test", "deploy/test", "packages"]

/** The test code: the packages' and contracts' and deploy's tests, and the test kit's sources. */
const isTestCode = (rel: string) =>
  /^(contracts|deploy)\/test\//.test(rel) ||
  /^packages\/[^/]+\/test\//.test(rel) ||
  rel.startsWith("packages/testkit/src/")

const RULES: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  {
    name: "writes process.env",
    pattern:
      /process\.env(\.\w+|\[[^\]]+\])\s*(=(?!=)|\?\?=)|delete\s+process\.env|Object\.assign\(\s*process\.env/,
  },
  { name: "reaches into Effect internals", pattern: /["'`]~effect\/|from\s+["']effect\/(src\/)?internal/ },
  { name: "stands in for a service with an empty object", pattern: /\{\s*\}\s+as\s+unknown\s+as/ },
]

/** Where a rule matches in `text`, as `line: source`. */
const findings = (text: string, pattern: RegExp) =>
  text
    .split("\n")
    .map((line, i) => [i + 1, line] as const)
    .filter(([, line]) => pattern.test(line))
    .map(([n, line]) => `${n}: ${line.trim()}`)

describe("test code hygiene", () => {
  const files = TEST_ROOTS.flatMap(repoFiles).filter(
    // This file spells out what the rules catch.
    (f) => isTestCode(f) && /\.tsx?$/.test(f) && f !== "packages/testkit/test/TestHygiene.test.ts",
  )

  it("finds the test files it checks", () => {
    expect(files.length).toBeGreaterThan(50)
    expect(files).toContain("packages/app/test/support/TestApp.ts")
    expect(files).toContain("packages/testkit/src/globalSetup.ts")
  })

  for (const rule of RULES) {
    it(`no test file ${rule.name}`, () => {
      const offenders = files.flatMap((file) =>
        findings(readFileSync(join(REPO_ROOT, file), "utf8"), rule.pattern).map((f) => `${file}:${f}`),
      )
      expect(offenders).toEqual([])
    })
  }

  it("each rule catches what it is about", () => {
    const [env, internals, stub] = RULES.map((r) => r.pattern) as [RegExp, RegExp, RegExp]
    for (const line of [
      "process.env.OPENAI_API_KEY = 'x'",
      "process.env[k] = v",
      "delete process.env.OPENAI_API_KEY",
      "process.env.X ??= '1'",
      "Object.assign(process.env, env)",
    ])
      expect(env.test(line), line).toBe(true)
    for (const line of [
      "process.env.X === '1'",
      "const url = process.env.TEST_DATABASE_URL",
      "{ ...process.env }",
    ])
      expect(env.test(line), line).toBe(false)
    expect(internals.test(`delete (x as Record<string, unknown>)["~effect/Context/defaultValue"]`)).toBe(true)
    expect(internals.test(`import * as core from "effect/internal/core"`)).toBe(true)
    expect(stub.test(`Layer.succeed(TaskService, {} as unknown as TaskService["Service"])`)).toBe(true)
    expect(stub.test(`(window as unknown as { seen: Array<string> }).seen`)).toBe(false)
  })
})
