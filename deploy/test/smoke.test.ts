// deploy/smoke.sh, the smoke test docs/deploy-doks.md runs against the deployed URL, run here against the real
// system (the one-process app on loopback: real HTTP, PostgreSQL, the agents behind the in-process bus), so
// its requests, the JSON it reads and the overdue suggestion it waits for are the ones the API really has.
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "../../packages/app/test/support/TestApp.ts"
import { repoRoot, runAsync } from "./support.ts"

const haveTools = ["curl", "jq", "bash"].every(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0,
)
if (!haveTools) console.warn("curl, jq or bash missing: deploy/smoke.sh is not run")

const smoke = (args: string[], env: Record<string, string> = {}) =>
  runAsync("bash", [join(repoRoot, "deploy", "smoke.sh"), ...args], {
    env: { ...process.env, SMOKE_WEB: "0", ...env },
  })

describe.skipIf(!haveTools)("deploy/smoke.sh against the running system", () => {
  let app: TestApp | undefined
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.stop()
  })

  it("passes: ready, sign-up, a task due yesterday, and the overdue agent's suggestion for it", async () => {
    const base = app?.baseUrl ?? ""
    const r = await smoke([base, `${base}/ready`])
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^smoke: ready$/m)
    expect(r.stdout).toMatch(/^smoke: signed up smoke\+\d{14}-\d+@example\.com$/m)
    expect(r.stdout).toMatch(/^smoke: created task [0-9a-f-]{36}, due \d{4}-\d\d-\d\dT09:00:00Z$/m)
    expect(r.stdout).toMatch(/^smoke: overdue suggestion after \d+ s: ok$/m)
  })

  it("fails naming the problem when the api is not ready", async () => {
    const base = app?.baseUrl ?? ""
    const r = await smoke([base, "http://127.0.0.1:9/ready"], { SMOKE_READY_RETRIES: "1" })
    expect(r.status).not.toBe(0)
    // curl's own line, then the script's.
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      "smoke: http://127.0.0.1:9/ready is not ready: kubectl -n todo logs deploy/todo-api -c api",
    )
  })
})
