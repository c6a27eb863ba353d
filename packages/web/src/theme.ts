import { computed, signal } from "@preact/signals"

/** Light and dark themes: the system's choice by default (prefers-color-scheme), or one the user picked. */
export type ThemePreference = "system" | "light" | "dark"
const KEY = "todo.theme"

const stored = (): ThemePreference => {
  const v = localStorage.getItem(KEY)
  return v === "light" || v === "dark" ? v : "system"
}

export const themePreference = signal<ThemePreference>(stored())
const media = window.matchMedia("(prefers-color-scheme: dark)")
const systemDark = signal(media.matches)
media.addEventListener("change", (e) => {
  systemDark.value = e.matches
})

export const effectiveTheme = computed<"light" | "dark">(() =>
  themePreference.value === "system" ? (systemDark.value ? "dark" : "light") : themePreference.value,
)

export const setTheme = (pref: ThemePreference) => {
  themePreference.value = pref
  if (pref === "system") localStorage.removeItem(KEY)
  else localStorage.setItem(KEY, pref)
  applyTheme()
}

/** The header's toggle: flips to the other theme (and back to following the system when that matches it). */
export const toggleTheme = () => {
  const next = effectiveTheme.value === "dark" ? "light" : "dark"
  setTheme(next === (systemDark.value ? "dark" : "light") ? "system" : next)
}

export const applyTheme = () => {
  const root = document.documentElement
  if (themePreference.value === "system") root.removeAttribute("data-theme")
  else root.dataset.theme = themePreference.value
}
