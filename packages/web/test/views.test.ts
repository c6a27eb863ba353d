import { signUp } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { addDays, fromLocal, localDay, localParts } from "../src/time.ts"
import { type Page, ROW, taskRow } from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"

// Today, Upcoming and the task list as views: what each shows, day by day in the user's zone (not the browser's),
// and filters kept in the address so that a view can be bookmarked, shared and gone back to.

const suite = browserSuite("views.test.ts")

const ZONES = ["Asia/Tokyo", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "America/Los_Angeles"]
/** A zone where it is daytime now (so "today" cannot change while the test runs), and another for the browser. */
const zones = () => {
  const user = ZONES.find((z) => {
    const h = localParts(Date.now(), z).hour
    return h >= 2 && h <= 20
  })!
  return {
    user,
    browser: ZONES.find(
      (z) => z !== user && localParts(Date.now(), z).hour !== localParts(Date.now(), user).hour,
    )!,
  }
}

/** The instant of a local time `days` after today in the zone. */
const at = (tz: string, days: number, hour: number, minute = 0) => {
  const [y, m, d] = addDays(localDay(Date.now(), tz), days).split("-").map(Number)
  return new Date(fromLocal({ year: y!, month: m!, day: d!, hour, minute }, tz)).toISOString()
}

const titlesIn = (page: Page, selector: string) => page.locator(`${selector} .task-title`).allTextContents()

describe.skipIf(suite.skipReason !== null)("views", () => {
  it("Today shows overdue and today's tasks, Upcoming the next 7 days by day, in the user's zone", async () => {
    const tz = zones()
    const session = await signUp(suite.stack.apiUrl, "Planner")
    const api = session.client.api
    expect((await api.me.putSettings({ body: { timezone: tz.user, agentsEnabled: false } })).status).toBe(200)
    const create = async (body: Parameters<typeof api.tasks.create>[0]["body"]) => {
      const res = await api.tasks.create({ body })
      if (res.status !== 201) throw new Error(`create failed: ${res.status}`)
      return res.body
    }
    await create({ title: "Pay the overdue bill", dueDate: at(tz.user, -1, 10) })
    await create({ title: "Early standup", dueDate: at(tz.user, 0, 1) })
    await create({ title: "Late call", dueDate: at(tz.user, 0, 23, 30) })
    const dentist = await create({
      title: "Dentist",
      dueDate: at(tz.user, 1, 9),
      description: "\nBring the insurance card\nand the old x-rays",
    })
    await create({ title: "Six days out", dueDate: at(tz.user, 6, 20) })
    await create({ title: "A week out", dueDate: at(tz.user, 7, 8) })
    await create({ title: "Someday" })
    const done = await create({ title: "Already done today", dueDate: at(tz.user, 0, 12) })
    await api.tasks.complete({ params: { id: done.id } })
    const today = localDay(Date.now(), tz.user)

    const { page, errors } = await signedInPage(suite, session, { timezoneId: tz.browser })
    await page.goto("/today")
    await page.locator('section.day[data-day="overdue"]').waitFor()
    expect(await page.locator("h1").first().textContent()).toMatch(/^Today/)
    expect(await titlesIn(page, 'section.day[data-day="overdue"]')).toEqual(["Pay the overdue bill"])
    expect(await titlesIn(page, `section.day[data-day="${today}"]`)).toEqual(["Early standup", "Late call"])
    expect(await page.locator(ROW).count()).toBe(3)

    // The header's link, not a reload: the stores switch views.
    await page.getByRole("link", { name: "Upcoming" }).click()
    await page.waitForURL((u) => u.pathname === "/upcoming")
    const days = page.locator("section.day")
    await days.nth(6).waitFor()
    expect(await days.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.day))).toEqual(
      Array.from({ length: 7 }, (_, i) => addDays(today, i)),
    )
    expect(await days.locator("h2").first().textContent()).toMatch(/^Today/)
    expect(await days.nth(1).locator("h2").textContent()).toMatch(/^Tomorrow/)
    expect(await titlesIn(page, `section.day[data-day="${today}"]`)).toEqual(["Early standup", "Late call"])
    expect(await titlesIn(page, `section.day[data-day="${addDays(today, 1)}"]`)).toEqual(["Dentist"])
    expect(await titlesIn(page, `section.day[data-day="${addDays(today, 6)}"]`)).toEqual(["Six days out"])
    expect(await days.nth(2).locator(".day-empty").textContent()).toBe("Nothing planned.")
    expect(await taskRow(page, "A week out").count()).toBe(0)
    expect(await taskRow(page, "Pay the overdue bill").count()).toBe(0)

    // The description's first line, under the title; the due label in the user's zone.
    const row = taskRow(page, "Dentist")
    expect(await row.locator('[data-kind="description"]').textContent()).toBe("Bring the insurance card")
    expect(await row.locator('[data-kind="due"] time').getAttribute("datetime")).toBe(dentist.dueDate)
    expect(await row.locator('[data-kind="due"]').textContent()).toMatch(/^Tomorrow /)

    // The keyboard walks the days in the order they show.
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    expect(await page.locator(`${ROW}[aria-current="true"] .task-title`).textContent()).toBe("Dentist")

    await page.getByRole("link", { name: "Tasks" }).click()
    await taskRow(page, "Someday").waitFor()
    expect(await page.locator(ROW).count()).toBe(7)
    expect(errors).toEqual([])
  })

  it("keeps filters and sort in the address: a bookmark opens the same view, Back returns to it", async () => {
    const session = await signUp(suite.stack.apiUrl, "Sharer")
    const api = session.client.api
    await api.me.putSettings({ body: { timezone: "UTC", agentsEnabled: false } })
    const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
    for (const [title, tags, dueDate] of [
      ["Rent for March", ["home"], soon(2)],
      ["Rent for April", ["home"], null],
      ["Rent the van", ["work"], soon(3)],
      ["Water the plants", ["home"], soon(1)],
    ] as const) {
      const res = await api.tasks.create({ body: { title, tags: [...tags], dueDate } })
      expect(res.status).toBe(201)
    }
    const march = await api.tasks.list({ query: { q: "march" } })
    if (march.status !== 200) throw new Error("list failed")
    await api.tasks.complete({ params: { id: march.body.items[0]!.id } })

    const { context, page, errors } = await signedInPage(suite, session)
    await page.goto("/")
    await taskRow(page, "Rent the van").waitFor()
    await page.getByRole("button", { name: "All" }).click()
    await page.locator(".filters summary").click()
    await page.getByRole("checkbox", { name: /#home/ }).check()
    await page.locator(".filters summary").click()
    await page.getByLabel("Sort").selectOption("title")
    await page.getByLabel("Search tasks").fill("rent")
    await page.waitForURL((u) => u.search === "?q=rent&status=all&tag=home&sort=title")
    const shared = page.url()
    await page.waitForFunction(
      (row) =>
        [...document.querySelectorAll(row)]
          .map((r) => r.querySelector(".task-title")?.textContent)
          .join("|") === "Rent for April|Rent for March",
      ROW,
    )

    // The address, opened elsewhere (a bookmark, a link sent to oneself), shows the same view.
    const other = await context.newPage()
    await other.goto(shared)
    await taskRow(other, "Rent for March").waitFor()
    expect(await other.locator(ROW).locator(".task-title").allTextContents()).toEqual([
      "Rent for April",
      "Rent for March",
    ])
    expect(await other.getByLabel("Search tasks").inputValue()).toBe("rent")
    expect(await other.getByRole("button", { name: "All" }).getAttribute("aria-pressed")).toBe("true")
    expect(await other.getByLabel("Sort").inputValue()).toBe("title")
    expect(await other.locator(".filters summary .badge").textContent()).toBe("2")
    await other.close()

    // Another view and back: the filters come back with the address.
    await page.getByRole("link", { name: "Today" }).click()
    await page.waitForURL((u) => u.pathname === "/today" && u.search === "")
    expect(await page.getByRole("link", { name: "Tasks" }).getAttribute("href")).toBe(
      new URL(shared).pathname + new URL(shared).search,
    )
    await page.goBack()
    await page.waitForURL(shared)
    await taskRow(page, "Rent for March").waitFor()
    expect(await page.getByLabel("Search tasks").inputValue()).toBe("rent")
    expect(await page.locator(ROW).count()).toBe(2)

    // Upcoming with a tag, opened as an address.
    await page.goto("/upcoming?tag=home")
    await taskRow(page, "Water the plants").waitFor()
    expect(await page.locator(ROW).locator(".task-title").allTextContents()).toEqual(["Water the plants"])
    expect(errors).toEqual([])
  })
})
