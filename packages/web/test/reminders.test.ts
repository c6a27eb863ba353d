import { signUp } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { type Page, taskRow } from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"

// Reminders that reach people: the scheduled ones listed before they fire, and each one, when it fires, both as a
// toast and as a browser notification (Notification API) once the user has turned those on.

const suite = browserSuite("reminders.test.ts")

interface Shown {
  readonly title: string
  readonly body: string | undefined
  readonly tag: string | undefined
}

/**
 * Records every notification the page creates, and each permission prompt it starts. The page's own `Notification`
 * still does the work (this subclass calls it); the record is how the test sees what the operating system would
 * show. Headless Chromium answers a prompt "denied" at once; `allow` stands for the user pressing "Allow" in it.
 */
const recordNotifications = async (page: Page, allow?: () => Promise<void>) => {
  if (allow) await page.exposeFunction("userAllowsNotifications", allow)
  await page.addInitScript(() => {
    const Real = window.Notification
    const shown: Array<{ title: string; body: string | undefined; tag: string | undefined }> = []
    const instances: Array<Notification> = []
    const prompts: Array<number> = []
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options)
        shown.push({ title, body: options?.body, tag: options?.tag })
        instances.push(this)
      }
      static override async requestPermission() {
        prompts.push(Date.now())
        const allow = (window as unknown as { userAllowsNotifications?: () => Promise<void> })
          .userAllowsNotifications
        if (allow) await allow()
        return Real.requestPermission()
      }
    }
    Object.assign(window, {
      Notification: Recorded,
      shownNotifications: shown,
      notificationInstances: instances,
      notificationPrompts: prompts,
    })
  })
}

const prompts = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { notificationPrompts: Array<number> }).notificationPrompts.length,
  )

const shownNotifications = (page: Page) =>
  page.evaluate(() => (window as unknown as { shownNotifications: Array<Shown> }).shownNotifications)

describe.skipIf(suite.skipReason !== null)("reminders", () => {
  it("lists scheduled reminders, then delivers one as a toast and a browser notification the user turned on", async () => {
    const session = await signUp(suite.stack.apiUrl, "Reminded Rita")
    const api = session.client.api
    await api.me.putSettings({ body: { timezone: "UTC", agentsEnabled: false } })
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString()
    const later = await api.tasks.create({ body: { title: "Renew the insurance", remindAt: inDays(2) } })
    const done = await api.tasks.create({ body: { title: "Already handled", remindAt: inDays(1) } })
    expect(later.status).toBe(201)
    if (done.status !== 201) throw new Error("create failed")
    await api.tasks.complete({ params: { id: done.body.id } })

    const { context, page, errors } = await signedInPage(suite, session)
    await recordNotifications(page, () =>
      context.grantPermissions(["notifications"], { origin: suite.stack.webUrl }),
    )
    await page.goto("/reminders")
    const scheduled = page.getByRole("list", { name: "Scheduled reminders" })
    await scheduled.locator("li", { hasText: "Renew the insurance" }).waitFor()
    expect(await scheduled.locator("h3").allTextContents()).toEqual(["Renew the insurance"])

    // Nothing is asked of the browser until the user presses the button; then the browser's prompt, once.
    expect(await page.evaluate(() => Notification.permission)).toBe("default")
    expect(await prompts(page)).toBe(0)
    await page.getByRole("button", { name: "Turn on browser notifications" }).click()
    await page.getByText("On: reminders also show as notifications from this browser.").waitFor()
    expect(await prompts(page)).toBe(1)

    // A reminder set elsewhere joins the scheduled list at once, soonest first.
    const dueAt = new Date(Date.now() + 3_000).toISOString()
    const soon = await api.tasks.create({
      body: { title: "Call the bank", remindAt: dueAt, dueDate: inDays(1) },
    })
    if (soon.status !== 201) throw new Error("create failed")
    await scheduled.locator("li", { hasText: "Call the bank" }).waitFor()
    expect(await scheduled.locator("h3").allTextContents()).toEqual(["Call the bank", "Renew the insurance"])
    expect(
      await scheduled
        .locator("li", { hasText: "Call the bank" })
        .locator("time.when")
        .getAttribute("datetime"),
    ).toBe(dueAt)

    // When it fires: a toast, a browser notification, and it moves from scheduled to delivered.
    await page.locator(".toast", { hasText: "Reminder: Call the bank" }).waitFor({ timeout: 15_000 })
    await page.waitForFunction(
      () => (window as unknown as { shownNotifications: Array<unknown> }).shownNotifications.length > 0,
    )
    const shown = await shownNotifications(page)
    expect(shown).toHaveLength(1)
    expect(shown[0]).toMatchObject({ title: "Call the bank" })
    expect(shown[0]!.body).toContain("Call the bank")
    await page
      .getByRole("list", { name: "Delivered reminders" })
      .locator("li", { hasText: "Call the bank" })
      .waitFor()
    await scheduled.locator("li", { hasText: "Call the bank" }).waitFor({ state: "detached" })
    expect(await scheduled.locator("h3").allTextContents()).toEqual(["Renew the insurance"])

    // Clicking the notification brings the app forward with the task open.
    await page.evaluate(() =>
      (
        window as unknown as { notificationInstances: Array<Notification> }
      ).notificationInstances[0]!.dispatchEvent(new Event("click")),
    )
    const editor = page.getByRole("dialog", { name: "Edit task" })
    await editor.waitFor()
    expect(await editor.getByLabel("Title").inputValue()).toBe("Call the bank")
    expect(errors).toEqual([])
  })

  it("turned off, reminders still toast but leave the browser's notifications alone", async () => {
    const session = await signUp(suite.stack.apiUrl, "Quiet Quentin")
    const api = session.client.api
    const { context, page, errors } = await signedInPage(suite, session, { permissions: ["notifications"] })
    await recordNotifications(page)
    await page.goto("/reminders")
    // Already allowed in this browser: on, with a way to turn it off here.
    await page.getByRole("button", { name: "Turn off" }).click()
    expect(await prompts(page)).toBe(0)
    await page.getByRole("button", { name: "Turn on browser notifications" }).waitFor()
    expect(await context.pages()[0]!.evaluate(() => localStorage.getItem("todo.browserNotifications"))).toBe(
      "off",
    )

    await api.tasks.create({
      body: { title: "Stretch", remindAt: new Date(Date.now() + 2_000).toISOString() },
    })
    await page.locator(".toast", { hasText: "Reminder: Stretch" }).waitFor({ timeout: 15_000 })
    expect(await shownNotifications(page)).toEqual([])
    await page.getByRole("link", { name: "Tasks" }).click()
    await taskRow(page, "Stretch").waitFor()
    expect(errors).toEqual([])
  })
})
