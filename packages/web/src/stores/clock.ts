import { computed, signal } from "@preact/signals"
import { localDay } from "../time.ts"
import { timeZone } from "./settings.ts"

/** Changes once a minute (set by live.ts) so that "overdue" and "today" follow the clock. */
export const now = signal(Date.now())

/** Today's date (`YYYY-MM-DD`) in the user's zone; changes at their midnight. */
export const today = computed(() => localDay(now.value, timeZone.value))
