import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll } from "vitest"
import {
  type BrowserContext,
  browserUnavailable,
  launchBrowser,
  newContext,
  type Page,
  type TestBrowser,
} from "./browser.ts"
import { type Stack, startStack } from "./stack.ts"

export interface BrowserSuite {
  /** Why the suite is skipped, or null. */
  readonly skipReason: string | null
  readonly stack: Stack
  readonly browser: TestBrowser
  /** A fresh browser context (its own storage: "another browser") with a page that records uncaught errors. */
  readonly open: (
    options?: Parameters<typeof newContext>[2],
  ) => Promise<{ context: BrowserContext; page: Page; errors: Array<string> }>
}

/**
 * One stack (database + server + UI) and one Chromium for a test file, closed in afterAll. Contexts opened through
 * `open` are closed after each test. When a test fails, the server's last output is printed.
 */
export const browserSuite = (file: string): BrowserSuite => {
  const skipReason = browserUnavailable()
  if (skipReason) console.warn(`[web] skipping the browser tests in ${file}: ${skipReason}`)
  let stack: Stack | undefined
  let browser: TestBrowser | undefined
  const contexts: Array<BrowserContext> = []
  if (!skipReason) {
    beforeAll(async () => {
      stack = await startStack()
      browser = await launchBrowser()
    }, 180_000)
    afterEach(async (ctx) => {
      if (ctx.task.result?.state === "fail" && stack) {
        console.error(`--- server output (last 4000 chars) ---\n${stack.output().slice(-4000)}`)
        const dir = mkdtempSync(join(tmpdir(), "todo-web-failure-"))
        let n = 0
        for (const c of contexts) {
          for (const p of c.pages())
            await p.screenshot({ path: join(dir, `page-${n++}.png`), fullPage: true }).catch(() => {})
        }
        console.error(`--- screenshots of the open pages: ${dir} ---`)
      }
      await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})))
    })
    afterAll(async () => {
      await browser?.close()
      await stack?.stop()
    }, 60_000)
  }
  return {
    skipReason,
    get stack() {
      if (!stack) throw new Error("the stack is not running")
      return stack
    },
    get browser() {
      if (!browser) throw new Error("the browser is not running")
      return browser
    },
    open: async (options = {}) => {
      if (!browser || !stack) throw new Error("the suite is not running")
      const context = await newContext(browser.browser, stack.webUrl, options)
      contexts.push(context)
      const page = await context.newPage()
      const errors: Array<string> = []
      page.on("pageerror", (e) => errors.push(e.message))
      return { context, page, errors }
    },
  }
}

/** Starts a page already signed in as the given user (the token in localStorage, as after a sign-in). */
export const signedInPage = async (
  suite: BrowserSuite,
  session: { token: string; user: unknown },
  options: Parameters<typeof newContext>[2] = {},
) => {
  const opened = await suite.open(options)
  await opened.context.addInitScript(
    ({ token, user }) => {
      localStorage.setItem("todo.token", token)
      localStorage.setItem("todo.user", JSON.stringify(user))
    },
    { token: session.token, user: session.user },
  )
  return opened
}
