import {
  Cause,
  Config,
  Context,
  Effect,
  Layer,
  Logger,
  References,
  Schema,
  SchemaGetter,
  Tracer,
} from "effect"
import type * as LogLevel from "effect/LogLevel"

/**
 * One JSON object per line: time, level, message, service, the active trace and span ids (so a log line leads to
 * its trace in Jaeger), the correlation id and every log annotation. The cause, when there is one, is rendered.
 */
export const jsonLogger = (service: string) =>
  Logger.make<unknown, void>(({ message, logLevel, cause, fiber, date }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: logLevel.toLowerCase(),
      service,
    }
    const parts = Array.isArray(message) ? message : [message]
    entry.message = parts.map((m) => (typeof m === "string" ? m : safeJson(m))).join(" ")
    const span = Context.getOption(fiber.context, Tracer.ParentSpan)
    if (span._tag === "Some" && span.value._tag === "Span") {
      entry.traceId = span.value.traceId
      entry.spanId = span.value.spanId
    }
    for (const [key, value] of Object.entries(fiber.getRef(References.CurrentLogAnnotations)))
      entry[key] = value
    if (cause.reasons.length > 0) entry.cause = Cause.pretty(cause)
    process.stdout.write(`${safeJson(entry)}\n`)
  })

/** `LOG_LEVEL` in any case (`debug`, `DEBUG`): spelt as Effect names the levels, then checked against those names. */
const LogLevelFromString = Schema.String.pipe(
  Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transform((s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
    encode: SchemaGetter.passthrough(),
  }),
  Schema.decodeTo(Schema.Literals(["All", "Fatal", "Error", "Warn", "Info", "Debug", "Trace", "None"]), {
    decode: SchemaGetter.passthroughSupertype(),
    encode: SchemaGetter.passthroughSubtype(),
  }),
)

const safeJson = (value: unknown) => {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))
  } catch {
    return String(value)
  }
}

/**
 * Logging for a service: `LOG_FORMAT=json|pretty` (default: pretty on a terminal, JSON otherwise, e.g. in a pod) and
 * `LOG_LEVEL` (default info).
 */
export const LoggingLive = (service: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const format = yield* Config.Literals(["json", "pretty"], "LOG_FORMAT").pipe(
        Config.withDefault(process.stdout.isTTY ? ("pretty" as const) : ("json" as const)),
      )
      // Accept `debug` as well as `Debug`: operators write env vars in lower case.
      const level = yield* Config.schema(LogLevelFromString, "LOG_LEVEL").pipe(
        Config.withDefault<LogLevel.LogLevel>("Info"),
      )
      const logger = format === "json" ? jsonLogger(service) : Logger.consolePretty()
      return Layer.mergeAll(Logger.layer([logger]), Layer.succeed(References.MinimumLogLevel, level))
    }),
  )
