import { computed, signal } from "@preact/signals"
import type { Settings } from "@todo/contracts"
import { call, client, isMissingRoute } from "../api.ts"
import { deviceTimeZone } from "../time.ts"

/** The user's settings; their time zone is the one every date on screen is shown and entered in. */

export const settings = signal<Settings | null>(null)
export const settingsAvailable = signal(true)
/** The user's zone from their settings; this device's zone only until the settings have loaded. */
export const timeZone = computed(() => settings.value?.timezone ?? deviceTimeZone())

export const reloadSettings = async () => {
  const res = await call(() => client.api.me.getSettings())
  if (res.status === 200) {
    settings.value = res.body
    settingsAvailable.value = true
  } else if (isMissingRoute(res)) settingsAvailable.value = false
}

export const clearSettings = () => {
  settings.value = null
}
