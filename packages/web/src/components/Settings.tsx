import { useEffect, useState } from "preact/hooks"
import { call, client, currentUser, describeProblem, fieldErrors, isMissingRoute, problemOf } from "../api.ts"
import { settings, settingsAvailable } from "../stores/settings.ts"
import { showToast } from "../stores/toasts.ts"
import { setTheme, type ThemePreference, themePreference } from "../theme.ts"
import { deviceTimeZone, isValidTimeZone, timeZones } from "../time.ts"
import { FieldError, invalidProps } from "./common.tsx"

/** Time zone, agents on/off, theme; and who is signed in. */
export const SettingsView = ({ onSignOut }: { onSignOut: () => void }) => {
  const current = settings.value
  const [timezone, setTimezone] = useState(current?.timezone ?? deviceTimeZone())
  const [agentsEnabled, setAgentsEnabled] = useState(current?.agentsEnabled ?? true)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const device = deviceTimeZone()

  // When the settings arrive (or change elsewhere), show them.
  useEffect(() => {
    if (!current) return
    setTimezone(current.timezone)
    setAgentsEnabled(current.agentsEnabled)
  }, [current])

  const save = async (e: Event) => {
    e.preventDefault()
    setErrors({})
    setFormError(null)
    const tz = timezone.trim()
    if (!isValidTimeZone(tz)) {
      setErrors({ timezone: "Expected an IANA time zone, e.g. Europe/Berlin" })
      return
    }
    setBusy(true)
    const res = await call(() => client.api.me.putSettings({ body: { timezone: tz, agentsEnabled } }))
    setBusy(false)
    if (res.status === 200) {
      settings.value = res.body
      showToast({ tone: "success", message: "Settings saved" }, 3000)
      return
    }
    if (isMissingRoute(res)) {
      settingsAvailable.value = false
      return
    }
    const byField = fieldErrors(problemOf(res))
    setErrors(byField)
    if (Object.keys(byField).length === 0) setFormError(describeProblem(res))
  }

  const user = currentUser.value
  return (
    <section class="page settings" aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      {!settingsAvailable.value ? (
        <p class="notice" role="status">
          Settings are not available on this server yet; times are shown in this device's zone ({device}).
        </p>
      ) : (
        <form onSubmit={save} class="card" aria-label="Preferences">
          <div class="field">
            <label for="settings-timezone">Time zone</label>
            <input
              id="settings-timezone"
              list="timezones"
              value={timezone}
              autocomplete="off"
              onInput={(e) => setTimezone(e.currentTarget.value)}
              {...invalidProps("settings-timezone-error", errors.timezone)}
            />
            <datalist id="timezones">
              {timeZones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            {timezone !== device && (
              <button type="button" class="link" onClick={() => setTimezone(device)}>
                Use this device's zone ({device})
              </button>
            )}
            <p class="hint">Due dates, reminders and "tomorrow" in quick add follow this zone.</p>
            <FieldError id="settings-timezone-error" message={errors.timezone} />
          </div>
          <div class="field">
            <label class="check-label">
              <input
                id="settings-agents"
                type="checkbox"
                checked={agentsEnabled}
                onChange={(e) => setAgentsEnabled(e.currentTarget.checked)}
              />
              Let the agents suggest changes (new dates for overdue tasks, priorities, reminders)
            </label>
            <FieldError id="settings-agents-error" message={errors.agentsEnabled} />
          </div>
          {formError && (
            <p class="form-error" role="alert">
              {formError}
            </p>
          )}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save settings"}
          </button>
        </form>
      )}
      <div class="card">
        <fieldset class="theme-choice">
          <legend>Theme</legend>
          {(["system", "light", "dark"] as const).map((t: ThemePreference) => (
            <label class="check-label" key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={themePreference.value === t}
                onChange={() => setTheme(t)}
              />
              {t === "system" ? "Same as the system" : t === "light" ? "Light" : "Dark"}
            </label>
          ))}
        </fieldset>
      </div>
      <div class="card account">
        <h2>Account</h2>
        {user && (
          <p>
            Signed in as <strong>{user.name}</strong> ({user.email})
          </p>
        )}
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </section>
  )
}
