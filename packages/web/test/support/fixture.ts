import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, inject } from "vitest"
import {
  type BrowserContext,
  browserUnavailable,
  connectBrowser,
  newContext,
  type Page,
  type TestBrowser,
} from "./browser.ts"
import type { Stack } from "./stack.ts"

export interface BrowserSuite {
  /** Why the suite is skipped, or null. */
  readonly skipReason: string | null
  readonly stack: SuiteStack
  readonly browser: TestBrowser
  /** A fresh browser context (its own storage: "another browser") with a page that records uncaught errors. */
  readonly open: (
    options?: Parameters<typeof newContext>[2],
  ) => Promise<{ context: BrowserContext; page: Page; errors: Array<string> }>
}

/** The suite's view of the run's shared stack: its addresses and its output (it is stopped by the global setup). */
type SuiteStack = Pick<Stack, "webUrl" | "apiUrl" | "databaseUrl" | "output">

/**
 * The run's stack (database + server + UI) and Chromium, shared by every browser suite (started once by the web
 * project's global setup: support/globalSetup.ts); this file connects in beforeAll and disconnects in afterAll.
 * Contexts opened through `open` are closed after each test. When a test fails, the server's last output is printed.
 */
export const browserSuite = (file: string): BrowserSuite => {
  const skipReason = browserUnavailable()
  if (skipReason) console.warn(`[web] skipping the browser tests in ${file}: ${skipReason}`)
  let stack: SuiteStack | undefined
  let browser: TestBrowser | undefined
  const contexts: Array<BrowserContext> = []
  if (!skipReason) {
    beforeAll(async () => {
      const shared = inject("webStack")
      if (!shared) throw new Error("the web project's global setup started no stack")
      const { logFile } = shared
      stack = {
        webUrl: shared.webUrl,
        apiUrl: shared.apiUrl,
        databaseUrl: shared.databaseUrl,
        output: () => readFileSync(logFile, "utf8"),
      }
      browser = await connectBrowser(shared.wsEndpoint)
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
