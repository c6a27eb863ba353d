import { existsSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core"

/** Debian's Chromium (never a downloaded one); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** Why the browser tests cannot run here, or null when they can. */
export const browserUnavailable = (): string | null => {
  if (process.env.TODO_SKIP_BROWSER_TESTS) return "TODO_SKIP_BROWSER_TESTS is set"
  if (!existsSync(CHROMIUM_PATH)) {
    return `no Chromium at ${CHROMIUM_PATH} (install Debian's package: apt-get install chromium; or set CHROMIUM_PATH)`
  }
  return null
}

/** Prints why a browser suite is skipped, so a skip is never silent. */
export const reportSkip = (suite: string) => {
  const reason = browserUnavailable()
  if (reason) console.warn(`[web] skipping browser tests in ${suite}: ${reason}`)
  return reason
}

export interface TestBrowser {
  readonly browser: Browser
  readonly close: () => Promise<void>
}

/**
 * How the suites run Chromium. Playwright gives every launch a fresh, empty `--user-data-dir` of its own (it refuses
 * one in `args`), removed when the browser closes.
 */
export const CHROMIUM_OPTIONS = {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
}

/** A headless Chromium of one's own (for a suite outside the web project), closed by `close`. */
export const launchBrowser = async (): Promise<TestBrowser> => {
  const browser = await chromium.launch(CHROMIUM_OPTIONS)
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {})
    },
  }
}

/**
 * The run's one headless Chromium (started by the web project's global setup), connected to from a test file;
 * closing disconnects this file only. Each test still gets fresh browser contexts (their own storage).
 */
export const connectBrowser = async (wsEndpoint: string): Promise<TestBrowser> => {
  const browser = await chromium.connect(wsEndpoint)
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {})
    },
  }
}

export const DESKTOP = { width: 1280, height: 820 }
export const PHONE = { width: 390, height: 844 }

/** A new, isolated browser context (its own localStorage: another "browser" for a second user). */
export const newContext = (browser: Browser, base: string, options: BrowserContextOptions = {}) =>
  browser.newContext({
    baseURL: base,
    viewport: DESKTOP,
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce",
    ...options,
  })

let userCounter = 0
/** Signs up through the UI and waits for the task screen. */
export const signUpInUi = async (page: Page, name = "Web Tester") => {
  const email = `web-${process.pid}-${Date.now()}-${userCounter++}@example.com`
  const password = "correct horse battery"
  await page.goto("/")
  await page.getByRole("button", { name: "Create account" }).first().click()
  await page.getByLabel("Name").fill(name)
  await page.getByLabel("Email").fill(email)
  await page.getByLabel("Password").fill(password)
  await page.locator("form").getByRole("button", { name: "Create account" }).click()
  await page.getByLabel("New task (quick add)").waitFor({ timeout: 15_000 })
  return { email, password, token: await page.evaluate(() => localStorage.getItem("todo.token")) }
}

/** A task row on screen (rows a filter hides stay in the DOM with `hidden`). */
export const ROW = "li.task:not([hidden])"

/** The rows on screen of the tasks with this title. */
export const taskRow = (page: Page, title: string) => page.locator(ROW, { hasText: title })

/** Where the README's screenshots live. */
export const README_SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", "..", "docs", "screenshots")

/** Whether this run rewrites the README's screenshots (`UPDATE_SCREENSHOTS=1`); otherwise the tree stays clean. */
export const updatingScreenshots = () => process.env.UPDATE_SCREENSHOTS === "1"

let scratchShots: string | undefined
/**
 * Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1, else a temporary directory, so `npm test` still
 * drives every screen but leaves the working tree as it found it.
 */
export const screenshotDir = () => {
  if (updatingScreenshots()) {
    mkdirSync(README_SCREENSHOTS, { recursive: true })
    return README_SCREENSHOTS
  }
  scratchShots ??= mkdtempSync(join(tmpdir(), "todo-screenshots-"))
  return scratchShots
}

export type { Browser, BrowserContext, Page }
