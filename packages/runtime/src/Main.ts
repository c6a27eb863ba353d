import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"

/** `ConfigError` as one line naming the variable: `LOG_LEVEL: Expected "All" | … (got an invalid value)`. */
export const formatConfigError = (error: { readonly message: string }) => {
  const lines = error.message.split("\n").map((l) => l.trim())
  const at = lines.find((l) => l.startsWith("at ["))
  const name = at?.match(/\["([^"]+)"/)?.[1]
  const what = lines
    .filter((l) => !l.startsWith("at ["))
    .join(" ")
    .replace(/^SchemaError\(|\)$/g, "")
  // A variable that is simply absent reads as "Expected string" to the schema; say it plainly.
  const plain =
    /^Expected (string|a value)/.test(what) && !what.includes("|") && !what.includes(",")
      ? "is not set"
      : what
  return name ? `${name} ${plain === "is not set" ? plain : `: ${plain}`}`.replace(" :", ":") : what
}

/**
 * Launches a service's composition root. A missing or invalid environment variable stops start-up with one clear
 * line naming it (and exit code 1); everything else is NodeRuntime's usual teardown on SIGINT/SIGTERM.
 */
export const runService = <E>(layer: Layer.Layer<never, E, never>) =>
  Layer.launch(layer).pipe(
    Effect.catchTag("ConfigError" as never, (error: { readonly message: string }) =>
      Effect.sync(() => {
        process.stderr.write(`configuration error: ${formatConfigError(error)}\n`)
        process.exit(1)
      }),
    ),
    NodeRuntime.runMain,
  )
