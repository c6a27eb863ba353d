import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT } from "../src/Processes.ts"
import { repoFiles } from "./support/repoFiles.ts"

/**
 * Each workspace package is used through the entry points its package.json declares (`exports`: its index and a
 * few named subpaths), never through its internals (issue 14): Node and TypeScript already refuse an undeclared
 * subpath, this names every offender at once and also covers files no type check or test run loads.
 */

interface Workspace {
  readonly name: string
  readonly dir: string
  readonly exports: Readonly<Record<string, string>>
}

const workspaces: ReadonlyArray<Workspace> = [
  "contracts",
  ...readdirSync(join(REPO_ROOT, "packages")).map((d) => `packages/${d}`),
].flatMap((dir) => {
  const manifest = join(REPO_ROOT, dir, "package.json")
  if (!existsSync(manifest)) return []
  const json = JSON.parse(readFileSync(manifest, "utf8")) as {
    name: string
    exports?: Record<string, string>
  }
  return [{ name: json.name, dir, exports: json.exports ?? {} }]
})
const byName = new Map(workspaces.map((w) => [w.name, w]))

const SOURCE_ROOTS = ["contracts", "packages", "scripts", "deploy"]
/** Every `@todo/…` module specifier in `text`: static and dynamic imports, re-exports. */
const todoSpecifiers = (text: string): Array<string> =>
  [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(["'`])(@todo\/[^"'`]+)\1/gm)].map(
    (m) => m[2]!,
  )

/** Why `specifier` is not a declared entry point, or undefined when it is one. */
const undeclared = (specifier: string): string | undefined => {
  const [scope, pkg, ...rest] = specifier.split("/")
  const workspace = byName.get(`${scope}/${pkg}`)
  if (!workspace) return `no workspace package is called ${scope}/${pkg}`
  const subpath = rest.length === 0 ? "." : `./${rest.join("/")}`
  if (subpath in workspace.exports) return undefined
  const declared = Object.keys(workspace.exports)
  return `${workspace.name} declares ${declared.length > 0 ? declared.join(", ") : "no entry points"}`
}

describe("workspace entry points", () => {
  const files = SOURCE_ROOTS.flatMap(repoFiles).filter(
    // This file spells out what the check catches.
    (f) => /\.(ts|tsx|mts|js|mjs)$/.test(f) && f !== "packages/testkit/test/EntryPoints.test.ts",
  )
  const imports = files.flatMap((file) =>
    todoSpecifiers(readFileSync(join(REPO_ROOT, file), "utf8")).map((specifier) => ({ file, specifier })),
  )

  it("finds the imports it checks", () => {
    expect(imports.length).toBeGreaterThan(200)
    const specifiers = new Set(imports.map((i) => i.specifier))
    expect(specifiers).toContain("@todo/runtime")
    expect(specifiers).toContain("@todo/runtime/embedded-postgres")
    expect(specifiers).toContain("@todo/core/tasks")
  })

  it("tells an internal module from an entry point", () => {
    const sample = [
      'import { problemResponse } from "@todo/runtime/http/Problem"',
      'const doc = await import("@todo/contracts/OpenApi")',
      'export { findHelm } from "@todo/testkit"',
      'import "@todo/nothing"',
    ].join("\n")
    expect(todoSpecifiers(sample).map((s) => [s, undeclared(s) === undefined])).toEqual([
      ["@todo/runtime/http/Problem", false],
      ["@todo/contracts/OpenApi", true],
      ["@todo/testkit", true],
      ["@todo/nothing", false],
    ])
  })

  it("every import of a workspace package names an entry point it declares", () => {
    const offenders = imports.flatMap(({ file, specifier }) => {
      const why = undeclared(specifier)
      return why === undefined ? [] : [`${file}: ${specifier} (${why})`]
    })
    expect(offenders).toEqual([])
  })

  it("no package exposes its internals through a wildcard", () => {
    const wildcards = workspaces.flatMap((w) =>
      Object.keys(w.exports)
        .filter((subpath) => subpath.includes("*"))
        .map((subpath) => `${w.name}: ${subpath}`),
    )
    expect(wildcards).toEqual([])
  })

  it("every declared entry point resolves to a file of its package", () => {
    const entries = workspaces.flatMap((w) =>
      Object.keys(w.exports).map((subpath) => ({
        workspace: w,
        specifier: subpath === "." ? w.name : `${w.name}/${subpath.slice(2)}`,
      })),
    )
    expect(entries.length).toBeGreaterThan(workspaces.length)
    // Resolved as Node resolves it from any file of the repository (the workspaces are linked in node_modules).
    const require = createRequire(join(REPO_ROOT, "package.json"))
    for (const { workspace, specifier } of entries) {
      const file = require.resolve(specifier)
      expect(existsSync(file), specifier).toBe(true)
      expect(relative(REPO_ROOT, file).startsWith(`${workspace.dir}/src/`), `${specifier} -> ${file}`).toBe(
        true,
      )
    }
  })
})
