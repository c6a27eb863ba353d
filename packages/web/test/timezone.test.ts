import { apiClient, signUp } from "@todo/testkit"
import { describe, expect, it } from "vitest"
import { fromLocal } from "../src/time.ts"
import { signUpInUi, taskRow } from "./support/browser.ts"
import { browserSuite, signedInPage } from "./support/fixture.ts"

// Time zones from the first minute: a new account takes the browser's zone, and the editor shows and takes times
// in the user's zone (their settings), never the browser's.

const suite = browserSuite("timezone.test.ts")

const TOKYO = "Asia/Tokyo"
const NEW_YORK = "America/New_York"

describe.skipIf(suite.skipReason !== null)("time zones", () => {
  it("a new account starts in the browser's zone", async () => {
    const { page, errors } = await suite.open({ timezoneId: "America/Los_Angeles" })
    const settingsWrites: Array<string> = []
    page.on("request", (r) => {
      if (r.url().endsWith("/api/me/settings") && r.method() !== "GET") settingsWrites.push(r.method())
    })
    const signUpRequest = page.waitForRequest((r) => r.url().endsWith("/api/auth/sign-up"))
    const { token } = await signUpInUi(page, "Westcoast Wendy")
    // The zone travels in the sign-up itself: the account has it when sign-up answers, with no second write.
    expect((await signUpRequest).postDataJSON()).toMatchObject({ timezone: "America/Los_Angeles" })
    const settings = await apiClient(suite.stack.apiUrl, token!).api.me.getSettings()
    expect(settings.status === 200 && settings.body.timezone).toBe("America/Los_Angeles")
    expect(settingsWrites).toEqual([])
    await page.getByRole("link", { name: "Settings" }).click()
    expect(await page.getByLabel("Time zone").inputValue()).toBe("America/Los_Angeles")
    expect(errors).toEqual([])
  })

  it("shows and takes the editor's times in the user's zone, not the browser's", async () => {
    const session = await signUp(suite.stack.apiUrl, "Tokyo Taro")
    const api = session.client.api
    await api.me.putSettings({ body: { timezone: TOKYO, agentsEnabled: false } })
    const due = new Date(
      fromLocal({ year: 2031, month: 3, day: 14, hour: 9, minute: 0 }, TOKYO),
    ).toISOString()
    const created = await api.tasks.create({ body: { title: "Board meeting", dueDate: due } })
    if (created.status !== 201) throw new Error("create failed")

    const { page, errors } = await signedInPage(suite, session, { timezoneId: NEW_YORK })
    await page.goto("/")
    await page.getByRole("button", { name: "Board meeting" }).click()
    const dialog = page.getByRole("dialog", { name: "Edit task" })
    await dialog.getByText(`Times are in ${TOKYO}.`).waitFor()
    expect(await dialog.getByLabel("Due").inputValue()).toBe("2031-03-14T09:00")

    await dialog.getByLabel("Due").fill("2031-03-14T18:30")
    await dialog.getByRole("button", { name: "Save" }).click()
    await dialog.waitFor({ state: "detached" })
    const saved = await api.tasks.get({ params: { id: created.body.id } })
    expect(saved.status === 200 && saved.body.dueDate).toBe(
      new Date(fromLocal({ year: 2031, month: 3, day: 14, hour: 18, minute: 30 }, TOKYO)).toISOString(),
    )
    expect(await taskRow(page, "Board meeting").locator("time").textContent()).toBe("Fri 14 Mar 2031 18:30")
    expect(errors).toEqual([])
  })

  it("never moves a due date when the settings arrive after the editor opened", async () => {
    const session = await signUp(suite.stack.apiUrl, "Slow Settings Sam")
    const api = session.client.api
    await api.me.putSettings({ body: { timezone: TOKYO, agentsEnabled: false } })
    const due = new Date(fromLocal({ year: 2031, month: 5, day: 2, hour: 9, minute: 0 }, TOKYO)).toISOString()
    const created = await api.tasks.create({ body: { title: "Renew the lease", dueDate: due } })
    if (created.status !== 201) throw new Error("create failed")

    const { page, errors } = await signedInPage(suite, session, { timezoneId: NEW_YORK })
    // The settings answer late (a slow network): until then the app can only guess this device's zone.
    let release: () => void = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    await page.route("**/api/me/settings", async (route) => {
      await held
      await route.continue()
    })
    await page.goto("/")
    await page.getByRole("button", { name: "Renew the lease" }).click()
    const dialog = page.getByRole("dialog", { name: "Edit task" })
    await dialog.getByText(`Times are in ${NEW_YORK}.`).waitFor()
    release()
    await dialog.getByText(`Times are in ${TOKYO}.`).waitFor()
    expect(await dialog.getByLabel("Due").inputValue()).toBe("2031-05-02T09:00")

    await dialog.getByLabel("Title").fill("Renew the flat's lease")
    await dialog.getByRole("button", { name: "Save" }).click()
    await dialog.waitFor({ state: "detached" })
    const saved = await api.tasks.get({ params: { id: created.body.id } })
    expect(saved.status === 200 && saved.body).toMatchObject({
      title: "Renew the flat's lease",
      dueDate: due,
    })
    expect(errors).toEqual([])
  })
})
