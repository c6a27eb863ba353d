import { signal } from "@preact/signals"

/** Changes once a minute (set by live.ts) so that "overdue" and "today" follow the clock. */
export const now = signal(Date.now())
