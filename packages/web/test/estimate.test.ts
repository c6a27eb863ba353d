import { apiClient } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { signUpInUi, taskRow } from "./support/browser.ts"
import { browserSuite } from "./support/fixture.ts"
import { skipWithoutRoute } from "./support/stack.ts"

// The estimate of a task in the browser: read by quick add (with its live preview), shown in the list row, set,
// refused and cleared in the editor.

const suite = browserSuite("estimate.test.ts")

describe.skipIf(suite.skipReason !== null)("estimate", () => {
  it("quick add “Write report ~1h30m” previews and shows ~1h 30m; the editor changes it, refuses 2.5 next to the field, and clears it", async (ctx) => {
    await skipWithoutRoute(ctx, suite.stack, "POST", "/api/tasks/quick/parse")
    const { page, errors } = await suite.open()
    const { token } = await signUpInUi(page, "Estimator")
    const api = apiClient(suite.stack.apiUrl, token!)

    await page.locator("#quick-add").fill("Write report ~1h30m")
    const preview = page.locator("#quick-add-preview")
    await preview.locator('[data-kind="title"]', { hasText: "Write report" }).waitFor()
    await preview.locator('[data-kind="estimate"]').waitFor()
    expect(await preview.locator('[data-kind="estimate"]').textContent()).toBe("~1h 30m")
    expect(await preview.locator('[data-kind="title"]').textContent()).toBe("Write report")

    await page.locator("#quick-add").press("Enter")
    const row = taskRow(page, "Write report")
    await row.locator('[data-kind="estimate"]').waitFor()
    expect(await row.locator('[data-kind="estimate"]').textContent()).toBe("~1h 30m")
    const listed = await api.api.tasks.list({ query: {} })
    expect(listed.status === 200 && listed.body.items.map((t) => [t.title, t.estimateMinutes])).toEqual([
      ["Write report", 90],
    ])

    // The editor shows it in minutes; a value the contract refuses comes back next to the field.
    await row.locator(".task-title").click()
    const dialog = page.getByRole("dialog", { name: "Edit task" })
    const estimate = dialog.getByLabel("Estimate (minutes)")
    expect(await estimate.inputValue()).toBe("90")
    await estimate.fill("2.5")
    await dialog.getByRole("button", { name: "Save" }).click()
    await dialog.locator("#edit-estimate-error").waitFor()
    expect(await estimate.getAttribute("aria-invalid")).toBe("true")

    await estimate.fill("45")
    await dialog.getByRole("button", { name: "Save" }).click()
    await dialog.waitFor({ state: "detached" })
    await row.locator('[data-kind="estimate"]', { hasText: "~45m" }).waitFor()

    // Emptied, it is cleared (null), and the row shows none.
    await row.locator(".task-title").click()
    await page.getByRole("dialog", { name: "Edit task" }).getByLabel("Estimate (minutes)").fill("")
    await page.getByRole("dialog", { name: "Edit task" }).getByRole("button", { name: "Save" }).click()
    await page.getByRole("dialog", { name: "Edit task" }).waitFor({ state: "detached" })
    await row.locator('[data-kind="estimate"]').waitFor({ state: "detached" })
    const after = await api.api.tasks.list({ query: {} })
    expect(after.status === 200 && after.body.items[0]?.estimateMinutes).toBeNull()
    expect(errors).toEqual([])
  })
})
