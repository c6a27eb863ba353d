import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { apiClient, REPO_ROOT } from "@todo/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { runCommand } from "./support/Command.ts"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

/**
 * `@todo/contracts` as another project gets it: built (contracts/build.ts) and packed with `npm pack`, installed
 * from the tarball into a project outside the workspace, type-checked there, and the README's example run against
 * the running system.
 */

const ok = async (...args: Parameters<typeof runCommand>) => {
  const result = await runCommand(...args)
  if (result.status !== 0)
    throw new Error(
      `${args[0]} ${args[1].join(" ")} failed (${result.status})\n${result.stdout}\n${result.stderr}`,
    )
  return result
}

const npm = existsSync(join(dirname(process.execPath), "npm"))
  ? join(dirname(process.execPath), "npm")
  : "npm"
const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc")
const version = (pkg: string) =>
  (
    JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
      version: string
    }
  ).version

/** The README's example of another project calling the API. */
const readmeExample = () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Typed client for other projects"))
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1]
  if (!code) throw new Error("README.md: no ts example under 'Typed client for other projects'")
  return code
}

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
  )

const temporary: Array<string> = []
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temporary.push(dir)
  return dir
}
let app: TestApp | undefined
afterAll(async () => {
  await app?.stop()
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

describe("@todo/contracts for other projects", () => {
  it("packs to JavaScript and declarations, installs outside the workspace and lists tasks from a running server", async () => {
    const built = tempDir("todo-contracts-build-")
    await ok(process.execPath, [join(REPO_ROOT, "contracts", "build.ts"), built], { cwd: REPO_ROOT })
    const packed = tempDir("todo-contracts-pack-")
    const pack = await ok(npm, ["pack", built, "--pack-destination", packed], { cwd: packed })
    const tarball = join(packed, pack.stdout.trim().split("\n").at(-1)!)

    // The project: its own directory under the system's temp dir, nothing of the workspace above it.
    const project = tempDir("todo-consumer-")
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    )
    await ok(
      npm,
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        // A registry that cannot be reached (no network, a proxy's certificate Node does not trust: set
        // NODE_EXTRA_CA_CERTS) fails within seconds, npm's own error in the failure, instead of npm's minute of
        // retries running into the test's timeout.
        "--fetch-retries=1",
        "--fetch-retry-mintimeout=2000",
        "--fetch-retry-maxtimeout=5000",
        "--fetch-timeout=30000",
        tarball,
        `@ts-rest/core@${version("@ts-rest/core")}`,
        `@types/node@${version("@types/node")}`,
      ],
      { cwd: project },
    )
    const installed = files(join(project, "node_modules", "@todo", "contracts"))
    expect(installed).toContain("index.js")
    expect(installed).toContain("index.d.ts")
    expect(installed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])

    // Type-checked against the declarations: the example compiles, and a wrong use of a field does not.
    writeFileSync(join(project, "list.ts"), readmeExample())
    writeFileSync(
      join(project, "wrong.ts"),
      [
        'import type { Task } from "@todo/contracts"',
        "export const title = (task: Task): string => task.title",
        "// @ts-expect-error a title is a string (this line fails the check if the declarations were `any`)",
        "export const count = (task: Task): number => task.title",
        "",
      ].join("\n"),
    )
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["list.ts", "wrong.ts"],
      }),
    )
    await ok(process.execPath, [tsc, "-p", project], { cwd: project })

    // A running system with a user who has two open tasks; the example signs in as that user and lists them.
    app = await startTestApp()
    const signedUp = await apiClient(app.baseUrl).api.auth.signUp({
      body: { email: "me@example.com", password: "plum-kettle-orbit-42", name: "Me" },
    })
    expect(signedUp.status).toBe(201)
    if (signedUp.status !== 201) return
    const client = apiClient(app.baseUrl, signedUp.body.token)
    for (const [title, dueDate] of [
      ["Renew passport", "2031-03-01T09:00:00.000Z"],
      ["File taxes", "2031-01-10T09:00:00.000Z"],
    ] as const)
      expect((await client.api.tasks.create({ body: { title, dueDate } })).status).toBe(201)

    const listed = await ok(process.execPath, ["list.ts"], {
      cwd: project,
      env: { ...process.env, TODO_API_URL: app.baseUrl },
    })
    expect(listed.stdout.trim().split("\n")).toEqual([
      "2031-01-10T09:00:00.000Z File taxes",
      "2031-03-01T09:00:00.000Z Renew passport",
    ])
  }, 180_000)
})
