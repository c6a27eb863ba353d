import { queryRows, signUp } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { DESKTOP, PHONE, ROW, signUpInUi } from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"
import { skipWithoutRoute } from "./support/stack.ts"

// The UI fixes of issue 15: each one as the user met it.

const suite = browserSuite("fixes.test.ts")

const inDays = (d: number, hour = 9) => {
  const x = new Date()
  x.setUTCDate(x.getUTCDate() + d)
  x.setUTCHours(hour, 0, 0, 0)
  return x.toISOString()
}

/** A user with a dozen tasks (one overdue, some tagged), in UTC. */
const seeded = async (name: string) => {
  const session = await signUp(suite.stack.apiUrl, name)
  await session.client.api.me.putSettings({ body: { timezone: "UTC", agentsEnabled: true } })
  for (let i = 0; i < 12; i++) {
    const res = await session.client.api.tasks.create({
      body: {
        title: `Chore ${i}`,
        tags: [`t${i % 3}`],
        priority: "high",
        dueDate: inDays(i === 0 ? -1 : i + 10),
      },
    })
    if (res.status !== 201) throw new Error(`create failed: ${res.status}`)
  }
  return session
}

describe.skipIf(suite.skipReason !== null)("UI fixes", () => {
  it("keeps the filters panel on screen at 1280 px once a filter is active, in every view", async () => {
    const session = await seeded("Filterer")
    const { page, errors } = await signedInPage(suite, session, { viewport: DESKTOP })
    for (const path of ["/", "/today", "/upcoming"]) {
      await page.goto(path)
      await page.locator(".filters summary").click()
      await page.locator(".filter-panel").getByRole("checkbox").first().check()
      await page.locator(".filters summary .badge").waitFor()
      const panel = (await page.locator(".filter-panel").boundingBox())!
      expect(panel.x, path).toBeGreaterThanOrEqual(0)
      expect(panel.x + panel.width, path).toBeLessThanOrEqual(DESKTOP.width)
      await page.locator(".filter-panel").getByRole("checkbox").first().uncheck()
    }
    expect(errors).toEqual([])
  })

  it("never lets the toasts cover the last rows: scrolled to the end, the last task sits above them", async () => {
    const session = await seeded("Toasted")
    const { page, errors } = await signedInPage(suite, session, { viewport: { width: 1280, height: 700 } })
    await page.goto("/")
    await page.locator(ROW).nth(11).waitFor()
    for (const title of ["Toast one", "Toast two", "Toast three"]) {
      await page.getByLabel("New task (quick add)").fill(title)
      await page.keyboard.press("Enter")
      await page.locator(".toast", { hasText: title }).waitFor()
    }
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    await page.waitForFunction(
      () => Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight,
    )
    const last = (await page.locator(ROW).last().boundingBox())!
    const stack = (await page.locator(".toasts").boundingBox())!
    expect(last.y + last.height).toBeLessThanOrEqual(stack.y)
    expect(errors).toEqual([])
  })

  it("shows the editor's whole due and reminder fields on a phone", async () => {
    const session = await seeded("Phoner")
    const { page, errors } = await signedInPage(suite, session, {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    })
    await page.goto("/")
    await page.getByRole("button", { name: "Chore 3" }).click()
    const dialog = page.getByRole("dialog", { name: "Edit task" })
    await dialog.waitFor()
    const box = (await dialog.boundingBox())!
    for (const id of ["#edit-due", "#edit-remind"]) {
      // The width the browser's own date-time control needs to show all of its parts.
      const { width, needed } = await page.locator(id).evaluate((el) => {
        const probe = el.cloneNode() as HTMLInputElement
        probe.style.cssText =
          "position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;flex:none"
        document.body.append(probe)
        const needed = probe.getBoundingClientRect().width
        probe.remove()
        return { width: el.getBoundingClientRect().width, needed }
      })
      expect(width, id).toBeGreaterThanOrEqual(needed)
      const field = (await page.locator(id).boundingBox())!
      expect(field.x + field.width, id).toBeLessThanOrEqual(box.x + box.width)
    }
    expect(errors).toEqual([])
  })

  it("writes a change of priority as old → new, the old one struck through, in one case", async () => {
    const session = await signUp(suite.stack.apiUrl, "Prioritiser")
    await session.client.api.me.putSettings({ body: { timezone: "UTC", agentsEnabled: true } })
    // Due in eleven days and marked high two days ago (the agent leaves a priority the user set in the last day
    // alone): once the due date moves, the prioritization agent proposes medium.
    const created = await session.client.api.tasks.create({
      body: { title: "Plan the trip", priority: "high", dueDate: inDays(11) },
    })
    if (created.status !== 201) throw new Error(`create failed: ${created.status}`)
    await queryRows(
      suite.stack.databaseUrl,
      "UPDATE tasks SET priority_set_at = now() - interval '2 days' WHERE id = $1",
      [created.body.id],
    )
    await session.client.api.tasks.update({ params: { id: created.body.id }, body: { dueDate: inDays(12) } })
    const { page, errors } = await signedInPage(suite, session)
    await page.goto("/inbox")
    const card = page.locator("li.suggestion", { hasText: "Plan the trip" })
    await card.waitFor({ timeout: 15_000 })
    const change = card.locator('[data-kind="priority-change"]')
    expect(await change.textContent()).toBe("High → Medium")
    expect(await change.locator("s").textContent()).toBe("High")
    expect(errors).toEqual([])
  })

  it("writes dates one way everywhere: the suggestion's proposal as its message does", async () => {
    const session = await signUp(suite.stack.apiUrl, "Dater")
    await session.client.api.me.putSettings({ body: { timezone: "Europe/Berlin", agentsEnabled: true } })
    await session.client.api.tasks.create({ body: { title: "Renew passport", dueDate: inDays(-2, 8) } })
    const { page, errors } = await signedInPage(suite, session)
    await page.goto("/inbox")
    const card = page.locator("li.suggestion", { hasText: "Renew passport" })
    await card.waitFor({ timeout: 15_000 })
    const message = (await card.locator(".reason").textContent())!
    const [from, to] = await card.locator('[data-kind="due-change"] time').allTextContents()
    // "'Renew passport' was due Tue 24 Nov 09:00; move it to Wed 25 Nov 09:00?"
    expect(message).toContain(`was due ${from}; move it to ${to}?`)
    expect(from).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}( \d{4})? \d{2}:\d{2}$/)
    expect(errors).toEqual([])
  })

  it("names a suggestion's task even when the list on screen does not hold it (another view replaced it)", async () => {
    const session = await signUp(suite.stack.apiUrl, "Viewer")
    await session.client.api.me.putSettings({ body: { timezone: "UTC", agentsEnabled: true } })
    const due = inDays(-3, 8)
    await session.client.api.tasks.create({ body: { title: "Return the library books", dueDate: due } })
    const { page, errors } = await signedInPage(suite, session)
    // The suggestion arrives while the task list holds its task; then Upcoming (the next seven days only) replaces
    // the loaded tasks, and the overdue one is no longer among them.
    await page.goto("/")
    await page.locator(".topbar .badge").first().waitFor({ timeout: 15_000 })
    await page.getByRole("link", { name: "Upcoming" }).click()
    await page.locator("section.day").nth(6).waitFor()
    await page.getByRole("link", { name: /Inbox/ }).click()
    const card = page.locator("li.suggestion").first()
    await card.locator("h2", { hasText: "Return the library books" }).waitFor()
    expect(await card.locator('[data-kind="due-change"] s time').getAttribute("datetime")).toBe(due)
    expect(errors).toEqual([])
  })

  it("says what a too-short password needs, in words, not schema text", async () => {
    const { page, errors } = await suite.open()
    await page.goto("/")
    await page.getByRole("button", { name: "Create account" }).first().click()
    const hint = (await page.locator("#auth-password-hint").textContent())!
    expect(hint).toMatch(/^At least \d+ characters\.$/)
    await page.getByLabel("Name").fill("Shorty")
    await page.getByLabel("Email").fill(`shorty-${Date.now()}@example.com`)
    await page.getByLabel("Password").fill("short")
    await page.locator("form").getByRole("button", { name: "Create account" }).click()
    const error = page.locator("#auth-password-error")
    await error.waitFor()
    expect(await error.textContent()).toMatch(/^Use at least \d+ characters\.$/)
    expect(await error.textContent()).toContain(hint.match(/\d+/)![0])
    expect(errors).toEqual([])
  })

  it("shows the user's message and tells how to turn the assistant on when the server has no key", async (ctx) => {
    await skipWithoutRoute(ctx, suite.stack, "POST", "/api/chat")
    const { page, errors } = await suite.open()
    await signUpInUi(page, "Chatty")
    await page.getByRole("button", { name: "Assistant" }).click()
    const panel = page.getByRole("complementary", { name: "Assistant" })
    await panel.getByLabel("Message the assistant").fill("What is due this week?")
    await panel.getByRole("button", { name: "Send" }).click()
    const notice = panel.locator(".message-notice")
    await notice.waitFor()
    expect(await panel.locator(".message-user").textContent()).toContain("What is due this week?")
    expect(await notice.textContent()).toContain("OPENAI_API_KEY")
    expect(await notice.textContent()).toMatch(/not set up on this server/)
    // Nothing typed is lost: it can be sent again once the assistant is on.
    await panel.getByRole("button", { name: "Send again" }).waitFor()
    expect(await panel.getByLabel("Message the assistant").inputValue()).toBe("")
    expect(errors).toEqual([])
  })
})
