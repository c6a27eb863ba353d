import { freePort } from "@todo/runtime/embedded-postgres"
import { Effect } from "effect"

/** A port on 127.0.0.1 that was free a moment ago (the kernel's ephemeral range, never a fixed well-known one). */
export const loopbackPort = () => Effect.runPromise(freePort)
