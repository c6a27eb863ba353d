import { apiClient, eventually, signUp } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { ROW, signUpInUi, taskRow } from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"
import { skipWithoutRoute } from "./support/stack.ts"

// Browser scenarios of the task list: quick add, completing a recurring task with undo, and a list of 1 000 tasks.

const suite = browserSuite("tasks.test.ts")

/** `YYYY-MM-DDTHH:mm` (UTC: the test user's zone) for a datetime-local input, and the instant it stands for. */
const utcInput = (daysFromToday: number, hour: number) => {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() + daysFromToday)
  d.setUTCHours(hour, 0, 0, 0)
  return { input: d.toISOString().slice(0, 16), iso: d.toISOString() }
}

describe.skipIf(suite.skipReason !== null)("tasks", () => {
  it("signs up and quick-adds “Buy milk tomorrow 9am #errands !high” with the right due date, tag and priority", async (ctx) => {
    await skipWithoutRoute(ctx, suite.stack, "POST", "/api/tasks/quick/parse")
    const { page, errors } = await suite.open()
    const { token } = await signUpInUi(page, "Quick Adder")

    // `n` is the new-task shortcut: it puts the cursor in quick add. (Shortcuts are off while typing in a field, and
    // the sign-up form's focus can linger for a frame after it unmounts.)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press("n")
    await page.waitForFunction(() => document.activeElement?.id === "quick-add", null, { timeout: 2_000 })
    await page.keyboard.type("Buy milk tomorrow 9am #errands !high")

    // What quick add understood is shown before anything is saved.
    const tomorrow9 = utcInput(1, 9).iso
    const preview = page.locator("#quick-add-preview")
    await preview.locator('[data-kind="title"]', { hasText: "Buy milk" }).waitFor()
    expect(await preview.locator('[data-kind="due"] time').getAttribute("datetime")).toBe(tomorrow9)
    expect(await preview.locator('[data-kind="tag"]').allTextContents()).toEqual(["#errands"])
    expect(await preview.locator('[data-kind="priority"]').textContent()).toBe("High")
    expect(await apiClient(suite.stack.apiUrl, token!).api.tasks.list({ query: {} })).toMatchObject({
      status: 200,
      body: { items: [] },
    })

    await page.keyboard.press("Enter")
    const row = taskRow(page, "Buy milk")
    await row.waitFor()
    expect(await row.locator(".task-title").textContent()).toBe("Buy milk")
    expect(await row.locator('[data-kind="due"] time').getAttribute("datetime")).toBe(tomorrow9)
    expect(await row.locator('[data-kind="due"]').textContent()).toBe("Tomorrow 09:00")
    expect(await row.locator('[data-kind="tag"]').allTextContents()).toEqual(["#errands"])
    expect(await row.locator('[data-kind="priority"]').textContent()).toBe("High")
    expect(await page.inputValue("#quick-add")).toBe("")

    // The server stored what the screen shows.
    const list = await apiClient(suite.stack.apiUrl, token!).api.tasks.list({ query: {} })
    expect(list.status).toBe(200)
    if (list.status !== 200) return
    expect(list.body.items).toMatchObject([
      { title: "Buy milk", dueDate: tomorrow9, tags: ["errands"], priority: "high", completed: false },
    ])
    expect(errors).toEqual([])
  })

  it("completes a weekly recurring task: the next occurrence appears, and undo restores the first", async () => {
    const { page, errors } = await suite.open()
    const { token } = await signUpInUi(page, "Gardener")
    const due = utcInput(2, 10)

    await page.getByRole("button", { name: "More…" }).click()
    const dialog = page.getByRole("dialog", { name: "New task" })
    await dialog.getByLabel("Title").fill("Water the plants")
    await dialog.getByLabel("Due").fill(due.input)

    // An invalid rule: the server's error shows next to the recurrence field.
    await dialog.getByLabel("Repeats").selectOption("custom")
    await dialog.getByLabel("Rule").fill("FREQ=SOMETIMES")
    await dialog.getByRole("button", { name: "Add task" }).click()
    await dialog.locator("#edit-recurrence-error").waitFor()
    expect(await dialog.locator("#edit-recurrence-error").textContent()).toMatch(/RRULE/)

    // The builder says the rule in words.
    await dialog.getByLabel("Repeats").selectOption("WEEKLY")
    await dialog.getByLabel("Every").fill("2")
    await dialog.getByRole("checkbox", { name: "Mon" }).check()
    await dialog.getByRole("checkbox", { name: "Thu" }).check()
    expect(await dialog.locator("#edit-recurrence-summary").textContent()).toBe(
      "every 2 weeks on Mon and Thu",
    )
    await dialog.getByLabel("Every").fill("1")
    await dialog.getByRole("checkbox", { name: "Mon" }).uncheck()
    await dialog.getByRole("checkbox", { name: "Thu" }).uncheck()
    expect(await dialog.locator("#edit-recurrence-summary").textContent()).toBe("every week")
    await dialog.getByRole("button", { name: "Add task" }).click()
    await dialog.waitFor({ state: "detached" })

    const rows = taskRow(page, "Water the plants")
    await rows.first().waitFor()
    expect(await rows.locator('[data-kind="recurrence"]').textContent()).toContain("every week")
    expect(await rows.locator("time").getAttribute("datetime")).toBe(due.iso)

    // Keyboard: j selects the first task, x completes it. The open list then holds the next occurrence.
    await page.keyboard.press("j")
    await page
      .locator(`${ROW}[aria-current="true"]`, { hasText: "Water the plants" })
      .waitFor({ timeout: 2_000 })
    await page.keyboard.press("x")
    const nextDue = new Date(Date.parse(due.iso) + 7 * 86_400_000).toISOString()
    await page.locator(`${ROW} time[datetime="${nextDue}"]`).waitFor()
    expect(await rows.count()).toBe(1)

    // Undo: the first occurrence is open again and the next one is gone.
    await page.getByRole("button", { name: "Undo" }).click()
    await page.locator(`${ROW} time[datetime="${due.iso}"]`).waitFor()
    await page.locator(`${ROW} time[datetime="${nextDue}"]`).waitFor({ state: "detached" })
    expect(await rows.count()).toBe(1)
    expect(await rows.locator("input.check").isChecked()).toBe(false)

    // The row goes at once; the server's delete of the next occurrence follows.
    const all = await eventually(
      async () => {
        const res = await apiClient(suite.stack.apiUrl, token!).api.tasks.list({ query: { status: "all" } })
        return res.status === 200 && res.body.items.length === 1 ? res.body.items : undefined
      },
      { what: "the next occurrence to be deleted" },
    )
    expect(all).toMatchObject([{ title: "Water the plants", dueDate: due.iso, completed: false }])
    expect(errors).toEqual([])
  })

  it("keeps a list of 1 000 tasks responsive: filtering the loaded list updates in under 100 ms", async () => {
    const session = await signUp(suite.stack.apiUrl, "Busy Person")
    const total = 1000
    for (let start = 0; start < total; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, total - start) }, async (_, k) => {
          const i = start + k
          const res = await session.client.api.tasks.create({
            body: {
              title: `Bulk task ${i} ${i % 10 === 0 ? "needle" : "hay"}`,
              priority: (["low", "medium", "high", "urgent"] as const)[i % 4]!,
              tags: [`group${i % 7}`],
            },
          })
          if (res.status !== 201) throw new Error(`create failed: ${res.status}`)
        }),
      )
    }

    const { page, errors } = await signedInPage(suite, session)
    await page.goto("/")
    const rows = page.locator(ROW)
    await rows.first().waitFor()
    // Infinite scroll: keep going to the end until every page is loaded.
    const deadline = Date.now() + 40_000
    while ((await rows.count()) < total) {
      if (Date.now() > deadline) throw new Error(`only ${await rows.count()} of ${total} tasks loaded`)
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
      await page.waitForTimeout(150)
    }
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0)

    /** Types into the search box and times how long until the list on screen shows `expected` rows. */
    const timeFilter = (query: string, expected: number) =>
      page.evaluate(
        async ({ query, expected, row }) => {
          const input = document.getElementById("search") as HTMLInputElement
          performance.clearMeasures("filter")
          const t0 = performance.now()
          input.value = query
          input.dispatchEvent(new InputEvent("input", { bubbles: true }))
          await new Promise<void>((resolve) => {
            const check = () =>
              document.querySelectorAll(row).length === expected ? resolve() : requestAnimationFrame(check)
            check()
          })
          const onScreen = performance.now() - t0
          const measured = performance.getEntriesByName("filter").at(-1)?.duration ?? null
          return { onScreen, measured }
        },
        { query, expected, row: ROW },
      )

    const narrowed = await timeFilter("needle", total / 10)
    const widened = await timeFilter("", total)
    console.info(
      `[web] filtering ${total} loaded tasks: ${narrowed.onScreen.toFixed(1)} ms to narrow (render ${narrowed.measured?.toFixed(1)} ms),` +
        ` ${widened.onScreen.toFixed(1)} ms to widen (render ${widened.measured?.toFixed(1)} ms)`,
    )
    expect(narrowed.onScreen).toBeLessThan(100)
    expect(widened.onScreen).toBeLessThan(100)
    expect(narrowed.measured).not.toBeNull()
    expect(narrowed.measured!).toBeLessThan(100)
    expect(widened.measured!).toBeLessThan(100)

    // Then the server answers the (cleared) search: the list starts again from its first pages.
    await page.getByRole("button", { name: "Load more" }).waitFor()
    expect(await rows.count()).toBeLessThan(total)
    expect(errors).toEqual([])
  })
})
