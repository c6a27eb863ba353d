// `npm start`: builds the web UI when its sources changed since the last build (a few seconds, once), then runs
// the whole system in one process (packages/app/src/main.ts). `TRACING=jaeger npm start` also starts Jaeger v2
// (built from its Go module by scripts/go-tools.sh the first time; needs Go >= 1.26.4) and exports the spans to it
// (docs/observability.md).
import { ensureBuilt } from "../packages/web/build.ts"

const tracing = process.env.TRACING
if (tracing !== undefined && tracing !== "" && tracing !== "jaeger") {
  process.stderr.write(`start: TRACING=${tracing} is not known (TRACING=jaeger starts Jaeger; unset, none)\n`)
  process.exit(1)
}
if (tracing === "jaeger") {
  const { ensureGoTool } = await import("../packages/testkit/src/dapr/GoTools.ts")
  const { preferredPort, startJaeger } = await import("../packages/testkit/src/dapr/Jaeger.ts")
  const found = ensureGoTool("jaeger")
  if ("skip" in found) {
    process.stderr.write(
      `start: TRACING=jaeger needs Jaeger built from its Go module, and ${found.skip}; or run without TRACING and set OTEL_EXPORTER_OTLP_ENDPOINT to a Jaeger of your own (docs/observability.md)\n`,
    )
    process.exit(1)
  }
  const jaeger = await startJaeger({
    binary: found.path,
    otlpPort: await preferredPort(Number(process.env.JAEGER_OTLP_PORT ?? 4318)),
    queryPort: await preferredPort(Number(process.env.JAEGER_UI_PORT ?? 16686)),
  })
  // The app reads its exporter from the environment at start-up (packages/runtime/src/Telemetry.ts); Jaeger is a child
  // in its own process group that the exit of this process takes with it (packages/testkit/src/ProcessGroup.ts).
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger.otlpUrl
  process.stdout.write(
    `Jaeger ${jaeger.queryUrl} (traces of this process; query API ${jaeger.queryUrl}/api/traces/<trace id>; in memory, gone on exit)\n`,
  )
}

try {
  await ensureBuilt()
} catch (error) {
  process.stderr.write(`The web UI could not be built; the API still starts. ${String(error)}\n`)
}
await import("../packages/app/src/main.ts")
