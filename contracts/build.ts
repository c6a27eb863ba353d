// Builds @todo/contracts for projects outside this workspace: JavaScript and declarations (contracts/dist, or the
// directory given as argument), with a package.json whose `exports` point at them and a README, so that
// `npm pack ./contracts/dist` (the root script `npm run pack:contracts`) makes a tarball without one TypeScript
// source in it. The workspace itself keeps importing the sources (contracts/package.json): nothing here runs for
// `npm start` or `npm test`.
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"

const here = import.meta.dirname
const README_SECTION = "## Typed client for other projects"
const out = resolve(process.argv[2] ?? join(here, "dist"))

rmSync(out, { recursive: true, force: true })
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc")
const compiled = spawnSync(
  process.execPath,
  [tsc, "-p", join(here, "tsconfig.build.json"), "--outDir", out],
  { stdio: "inherit" },
)
if (compiled.status !== 0) process.exit(compiled.status ?? 1)

const source = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as {
  name: string
  version: string
  description: string
  dependencies: Record<string, string>
  exports: Record<string, string>
}
const version = (name: string) => {
  const v = source.dependencies[name]
  if (!v) throw new Error(`contracts/package.json has no dependency ${name}`)
  return v
}
const entry = (path: string) => ({ types: `./${path}.d.ts`, default: `./${path}.js` })
// The same entry points as the workspace's (contracts/package.json), each pointing at its compiled file.
const entries = Object.fromEntries(
  Object.entries(source.exports).map(([subpath, file]) => [
    subpath,
    entry(file.replace(/^\.\/src\//, "").replace(/\.ts$/, "")),
  ]),
)
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  type: "module",
  sideEffects: false,
  exports: { ...entries, "./package.json": "./package.json" },
  dependencies: { effect: version("effect") },
  // The caller builds its client with @ts-rest/core's initClient: one copy, the caller's. The OpenAPI document
  // (`@todo/contracts/OpenApi`) needs nothing more: Effect derives its schemas.
  peerDependencies: { "@ts-rest/core": version("@ts-rest/core") },
}
writeFileSync(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
// The package's README is the root README's section on it: one text for both.
const readme = readFileSync(join(here, "..", "README.md"), "utf8")
const start = readme.indexOf(README_SECTION)
if (start < 0) throw new Error(`README.md has no section "${README_SECTION}"`)
const end = readme.indexOf("\n## ", start + README_SECTION.length)
writeFileSync(
  join(out, "README.md"),
  `# ${source.name}\n\n${source.description}\n\n${readme.slice(start, end < 0 ? undefined : end).trim()}\n`,
)
