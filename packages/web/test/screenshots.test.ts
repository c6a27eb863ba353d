import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { apiClient, eventually } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import {
  DESKTOP,
  type Page,
  PHONE,
  README_SCREENSHOTS,
  ROW,
  screenshotDir,
  updatingScreenshots,
} from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"
import { missingRoute } from "./support/stack.ts"

// Screenshots of the main screens for the README: docs/screenshots/<screen>-<light|dark>-<desktop|phone>.png, rewritten
// only with UPDATE_SCREENSHOTS=1. Without it the same screens are driven and shot into a temporary directory, and the
// README's files are checked to be untouched.

const suite = browserSuite("screenshots.test.ts")

/** A fingerprint of every file in the README's screenshot folder. */
const readmeShots = () =>
  existsSync(README_SCREENSHOTS)
    ? readdirSync(README_SCREENSHOTS)
        .sort()
        .map(
          (f) =>
            `${f}:${createHash("sha256")
              .update(readFileSync(join(README_SCREENSHOTS, f)))
              .digest("hex")}`,
        )
    : []

const at = (days: number, hour: number, minute = 0) => {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() + days)
  d.setUTCHours(hour, minute, 0, 0)
  return d.toISOString()
}

/** A user with a believable week of tasks, and the overdue agent's suggestion waiting in the inbox. */
const seed = async () => {
  // A fresh database per test file: the README can show a plain address.
  const signedUp = await apiClient(suite.stack.apiUrl).api.auth.signUp({
    body: { email: "ada@example.com", password: "correct horse battery", name: "Ada Lovelace" },
  })
  if (signedUp.status !== 201) throw new Error(`sign-up failed: ${signedUp.status}`)
  const session = { ...signedUp.body, client: apiClient(suite.stack.apiUrl, signedUp.body.token) }
  const api = session.client.api
  const create = async (body: Parameters<typeof api.tasks.create>[0]["body"]) => {
    const res = await api.tasks.create({ body })
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const rent = await create({
    title: "Pay the rent",
    dueDate: at(1, 8),
    recurrence: "FREQ=MONTHLY",
    tags: ["home"],
  })
  await api.tasks.complete({ params: { id: rent.id } })
  await create({ title: "Call the dentist", priority: "low", tags: ["health"] })
  await create({ title: "Read “The Analytical Engine” chapter 3", priority: "low", tags: ["books"] })
  await create({
    title: "Water the plants",
    dueDate: at(3, 8),
    recurrence: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    tags: ["home"],
  })
  await create({
    title: "Prepare the quarterly report",
    description: "Numbers from finance, charts from last quarter.",
    priority: "urgent",
    dueDate: at(2, 15),
    remindAt: at(2, 9),
    tags: ["work"],
  })
  await create({ title: "Renew passport", priority: "high", dueDate: at(-1, 9), tags: ["errands"] })
  await create({ title: "Buy milk", priority: "high", dueDate: at(1, 9), tags: ["errands"] })
  await create({
    title: "Team stand-up notes",
    description: "Blockers first, then the release date.\nLink the board.",
    dueDate: at(0, 23, 30),
    tags: ["work"],
  })
  await create({ title: "Book the dentist", priority: "low", dueDate: at(5, 11), tags: ["health"] })
  await eventually(
    async () => {
      const res = await api.suggestions.list({ query: { status: "pending" } })
      return res.status === 200 && res.body.items.length > 0 ? true : undefined
    },
    { timeoutMs: 15_000, what: "the overdue suggestion" },
  )
  return session
}

const shoot = async (page: Page, name: string) => {
  await page.evaluate(() => document.fonts.ready)
  await page.screenshot({ path: join(screenshotDir(), `${name}.png`), caret: "hide", animations: "disabled" })
}

const openTasks = async (page: Page) => {
  await page.goto("/")
  await page.locator(ROW).nth(5).waitFor()
  await page.locator(".topbar .badge").first().waitFor()
}

describe.skipIf(suite.skipReason !== null)("screenshots", () => {
  it("takes the main screens in light and dark, at desktop and phone width", async () => {
    const before = readmeShots()
    const session = await seed()
    const quickAdd = (await missingRoute(suite.stack, "POST", "/api/tasks/quick/parse")) === null
    const taken: Array<string> = []

    for (const device of ["desktop", "phone"] as const) {
      for (const theme of ["light", "dark"] as const) {
        const options = {
          colorScheme: theme,
          viewport: device === "desktop" ? DESKTOP : PHONE,
          ...(device === "phone" ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
        }
        const suffix = `${theme}-${device}`

        const signedOut = await suite.open(options)
        await signedOut.page.goto("/")
        await signedOut.page.getByRole("button", { name: "Sign in" }).first().waitFor()
        await shoot(signedOut.page, `signin-${suffix}`)
        taken.push(`signin-${suffix}`)

        const { page, errors } = await signedInPage(suite, session, options)
        await openTasks(page)
        if (quickAdd) {
          await page
            .getByLabel("New task (quick add)")
            .fill("Book flights to Lisbon next friday 10am #travel !high")
          await page.locator('#quick-add-preview [data-kind="title"]').waitFor()
        }
        await shoot(page, `tasks-${suffix}`)
        taken.push(`tasks-${suffix}`)
        await page.getByLabel("New task (quick add)").fill("")

        await page.getByRole("link", { name: "Today" }).click()
        await page.locator('section.day[data-day="overdue"] li.task').first().waitFor()
        await shoot(page, `today-${suffix}`)
        taken.push(`today-${suffix}`)

        await page.getByRole("link", { name: "Upcoming" }).click()
        await page.locator("section.day").nth(6).waitFor()
        await page.locator("section.day li.task").first().waitFor()
        await shoot(page, `upcoming-${suffix}`)
        taken.push(`upcoming-${suffix}`)

        await page.getByRole("link", { name: /Inbox/ }).click()
        await page.locator("li.suggestion h2", { hasText: "Renew passport" }).waitFor()
        await shoot(page, `inbox-${suffix}`)
        taken.push(`inbox-${suffix}`)

        await page.getByRole("link", { name: "Tasks", exact: true }).click()
        await page.getByRole("button", { name: "Water the plants" }).click()
        await page.getByRole("dialog", { name: "Edit task" }).locator("#edit-recurrence-summary").waitFor()
        await shoot(page, `editor-${suffix}`)
        taken.push(`editor-${suffix}`)
        await page.keyboard.press("Escape")

        if (device === "desktop") {
          await page.getByRole("link", { name: "Settings" }).click()
          await page.getByLabel("Time zone").waitFor()
          await shoot(page, `settings-${suffix}`)
          taken.push(`settings-${suffix}`)
        }
        expect(errors).toEqual([])
        await signedOut.context.close()
      }
    }
    console.info(`[web] screenshots in ${screenshotDir()}: ${taken.join(", ")}`)
    if (!updatingScreenshots()) {
      expect(readmeShots()).toEqual(before)
      rmSync(screenshotDir(), { recursive: true, force: true })
    }
  })
})
