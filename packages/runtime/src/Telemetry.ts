import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Config, Effect, Layer, Option, Tracer } from "effect"

const packageVersion = (): string => {
  try {
    return (
      JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "package.json"), "utf8")) as {
        version: string
      }
    ).version
  } catch {
    return "0.0.0"
  }
}

export const TelemetryConfig = Config.all({
  endpoint: Config.option(Config.String("OTEL_EXPORTER_OTLP_ENDPOINT")),
  // OpenTelemetry's batch processor variables (OTEL_BSP_*). The SDK reads them only for options it is not given, so
  // with our defaults passed in, OTEL_BSP_SCHEDULE_DELAY and OTEL_BSP_MAX_EXPORT_BATCH_SIZE were silently ignored.
  batch: Config.all({
    scheduledDelayMillis: Config.Int("OTEL_BSP_SCHEDULE_DELAY").pipe(Config.withDefault(500)),
    maxExportBatchSize: Config.Int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE").pipe(Config.withDefault(512)),
    maxQueueSize: Config.Int("OTEL_BSP_MAX_QUEUE_SIZE").pipe(Config.withDefault(2048)),
  }),
  environment: Config.String("DEPLOYMENT_ENVIRONMENT").pipe(Config.withDefault("development")),
  version: Config.option(Config.String("SERVICE_VERSION")),
})

/**
 * Tracing through @effect/opentelemetry (docs/stack.md, decision 4): spans go over OTLP/HTTP (JSON) to
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (Jaeger accepts OTLP directly; e.g. http://127.0.0.1:4318), with `service.name`,
 * `deployment.environment` and `service.version` as resource attributes. Without an endpoint there is no exporter:
 * Effect's own spans still carry trace ids into logs and outgoing `traceparent` headers, at no export cost.
 */
export const TracingLive = (serviceName: string) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* TelemetryConfig
      if (Option.isNone(config.endpoint)) return Layer.empty
      const url = `${config.endpoint.value.replace(/\/$/, "")}/v1/traces`
      yield* Effect.logInfo(`exporting traces to ${url} as ${serviceName}`)
      // The OpenTelemetry SDK is loaded only when traces are exported (tens of MB a service without it saves).
      const [{ layerTracerProvider }, OtelTracer, Resource, { OTLPTraceExporter }, { BatchSpanProcessor }] =
        yield* Effect.promise(() =>
          Promise.all([
            import("@effect/opentelemetry/NodeSdk"),
            import("@effect/opentelemetry/OtelTracer"),
            import("@effect/opentelemetry/Resource"),
            import("@opentelemetry/exporter-trace-otlp-http"),
            import("@opentelemetry/sdk-trace-base"),
          ]),
        )
      // NodeSdk.layer's tracer also installs a context hook that re-enters OpenTelemetry's active context around
      // every step of every fiber with a span, so that OpenTelemetry-native instrumentations (http, pg patches)
      // see Effect's spans. We run none: every span here is Effect's, parented through the fiber. The hook was
      // 6 – 7 % of the API's CPU under load with tracing on (`BaseContext` allocations; docs/BENCHMARKS.md).
      const EffectSpansOnly = Layer.effect(
        Tracer.Tracer,
        Effect.map(OtelTracer.make, (tracer) => Tracer.make({ span: tracer.span })),
      )
      return EffectSpansOnly.pipe(
        Layer.provide(OtelTracer.layerTracer),
        Layer.provide(
          layerTracerProvider(new BatchSpanProcessor(new OTLPTraceExporter({ url }), config.batch), {
            shutdownTimeout: "5 seconds",
          }),
        ),
        Layer.provide(
          Resource.layerFromEnv(
            Resource.configToAttributes({
              serviceName,
              serviceVersion: Option.getOrElse(config.version, packageVersion),
              attributes: { "deployment.environment": config.environment },
            }),
          ),
        ),
      )
    }),
  )
