import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { acquireTestServer } from "@todo/testkit/global-setup"
import type { TestProject } from "vitest/node"
import { browserUnavailable, CHROMIUM_OPTIONS } from "./browser.ts"
import { startStack } from "./stack.ts"

declare module "vitest" {
  export interface ProvidedContext {
    webStack: {
      readonly webUrl: string
      readonly apiUrl: string
      /** The stack's database, for a test to arrange what no request can (e.g. a choice made days ago). */
      readonly databaseUrl: string
      readonly wsEndpoint: string
      /** The server's output so far, for failure messages. */
      readonly logFile: string
    } | null
  }
}

/**
 * The browser suites' shared parts, started once per run instead of once per file: the stack (a database, the
 * one-process server, the built UI) and one Chromium that each file connects to. The server's output goes to a file
 * the workers read when a test fails.
 */
export default async function setup(project: TestProject) {
  if (browserUnavailable()) {
    project.provide("webStack", null)
    return
  }
  const database = await acquireTestServer()
  const stack = await startStack(database.server).catch(async (e: unknown) => {
    await database.release()
    throw e
  })
  const browser = await chromium.launchServer(CHROMIUM_OPTIONS).catch(async (e: unknown) => {
    await stack.stop()
    await database.release()
    throw e
  })
  const dir = mkdtempSync(join(tmpdir(), "todo-web-stack-"))
  const logFile = join(dir, "server.log")
  writeFileSync(logFile, stack.output())
  stack.onOutput((chunk) => appendFileSync(logFile, chunk))
  project.provide("webStack", {
    webUrl: stack.webUrl,
    apiUrl: stack.apiUrl,
    databaseUrl: stack.databaseUrl,
    wsEndpoint: browser.wsEndpoint(),
    logFile,
  })
  return async () => {
    await browser.close().catch(() => {})
    await stack.stop()
    await database.release()
    rmSync(dir, { recursive: true, force: true })
  }
}
