import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  browserUnavailable,
  launchBrowser,
  reportSkip,
  type TestBrowser,
} from "../../web/test/support/browser.ts"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

/** `/api/docs` in a real browser, under the server's Content-Security-Policy, with no network but our own. */
const skip = reportSkip("app/DocsPage") !== null

describe.skipIf(skip)("the API reference page works offline under the strict CSP", () => {
  let app: TestApp
  let browser: TestBrowser
  beforeAll(async () => {
    app = await startTestApp()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it("renders every operation from the app's own assets, asks no other origin, breaks no policy", async () => {
    expect(browserUnavailable()).toBeNull()
    const context = await browser.browser.newContext()
    // Offline: any request to another origin fails instead of leaving the machine.
    await context.route(
      (url) => url.origin !== app.baseUrl,
      (route) => route.abort(),
    )
    const page = await context.newPage()
    const foreign: Array<string> = []
    const problems: Array<string> = []
    page.on("request", (r) => {
      if (new URL(r.url()).origin !== app.baseUrl) foreign.push(r.url())
    })
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text())
    })
    page.on("pageerror", (e) => problems.push(e.message))
    await page.goto(`${app.baseUrl}/api/docs`)
    await page.getByText("/api/tasks/{id}/complete").first().waitFor({ timeout: 15_000 })
    expect(await page.getByText("todo-app API").count()).toBeGreaterThan(0)
    expect(foreign).toEqual([])
    expect(problems).toEqual([])
    await context.close()
  })
})
