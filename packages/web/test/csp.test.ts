import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { DIST, ensureBuilt } from "../build.ts"
import { type BrowserContext, signUpInUi, taskRow } from "./support/browser.ts"
import { browserSuite } from "./support/fixture.ts"

// The built UI runs under a strict Content-Security-Policy: nothing inline, nothing evaluated, nothing from another
// origin. (The servers set the header; this checks the UI needs nothing such a policy blocks.)

const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ")

describe("the built UI under a strict CSP", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("has no inline script, style or event handler in index.html, and no eval in the bundles", () => {
    const html = readFileSync(join(DIST, "index.html"), "utf8")
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/[^"]+"/)
      expect(body!.trim()).toBe("")
    }
    expect(html).not.toMatch(/<style\b/i)
    expect(html).not.toMatch(/\sstyle=/i)
    expect(html).not.toMatch(/\son[a-z]+=/i)
    expect(html).not.toMatch(/javascript:/i)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i)
    const assets = join(DIST, "assets")
    for (const f of readdirSync(assets).filter((f) => f.endsWith(".js"))) {
      const js = readFileSync(join(assets, f), "utf8")
      expect(js, f).not.toMatch(/\beval\(|new Function\(/)
    }
  })
})

const suite = browserSuite("csp.test.ts")

/** Serves every page with the strict policy, and records each violation the page reports. */
const withStrictCsp = async (context: BrowserContext) => {
  await context.route("**/*", async (route) => {
    if (route.request().resourceType() !== "document") return route.continue()
    const response = await route.fetch()
    await route.fulfill({
      response,
      headers: { ...response.headers(), "content-security-policy": STRICT_CSP },
    })
  })
  await context.addInitScript(() => {
    const seen: Array<string> = []
    ;(window as unknown as { cspViolations: Array<string> }).cspViolations = seen
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`),
    )
  })
}

describe.skipIf(suite.skipReason !== null)("browsing under a strict CSP", () => {
  it("signs up, adds and edits a task, opens every screen and the assistant, keeps a dark theme: no violation", async () => {
    const { context, page, errors } = await suite.open()
    await withStrictCsp(context)
    const blocked: Array<string> = []
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) blocked.push(m.text())
    })
    const violations = () =>
      page.evaluate(() => (window as unknown as { cspViolations: Array<string> }).cspViolations)

    await signUpInUi(page, "Strict Stella")
    await page.getByLabel("New task (quick add)").fill("Check the headers")
    await page.keyboard.press("Enter")
    await taskRow(page, "Check the headers").waitFor()
    // The editor and the chat panel are chunks loaded on demand.
    await page.getByRole("button", { name: "Check the headers" }).click()
    await page.getByRole("dialog", { name: "Edit task" }).waitFor()
    await page.keyboard.press("Escape")
    await page.getByRole("button", { name: "Assistant" }).click()
    await page.getByRole("complementary", { name: "Assistant" }).getByLabel("Message the assistant").waitFor()
    for (const name of ["Inbox", "Reminders", "Settings"]) {
      await page.getByRole("link", { name: new RegExp(`^${name}`) }).click()
      await page.getByRole("heading", { level: 1 }).first().waitFor()
    }
    await page.getByRole("radio", { name: "Dark" }).check()
    expect(await violations()).toEqual([])

    // The theme is applied before the app's module runs, by a script from our own origin.
    await page.reload()
    await page.getByLabel("Time zone").waitFor()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark")
    expect(await violations()).toEqual([])
    expect(blocked).toEqual([])
    expect(errors).toEqual([])
  })
})
