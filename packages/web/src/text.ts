import type { Priority } from "@todo/contracts"

/** Text shown about a task, without I/O. */

/** A priority as the app writes it, everywhere: "High". */
export const priorityLabel = (p: Priority): string => `${p.charAt(0).toUpperCase()}${p.slice(1)}`

/** An estimate as people write it: "45m", "2h", "1h 30m". */
export const formatEstimate = (minutes: number): string => {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return h === 0 ? `${m}m` : m === 0 ? `${h}h` : `${h}h ${m}m`
}

/** The first line of a description that has any text, for the row under the title (the rest is in the editor). */
export const firstLine = (description: string | null): string | null => {
  if (!description) return null
  for (const line of description.split(/\r\n|\r|\n/)) {
    const text = line.trim()
    if (text) return text.length > 200 ? `${text.slice(0, 199)}…` : text
  }
  return null
}
