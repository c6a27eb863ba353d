import type { SidecarStatus } from "@todo/contracts"
import { Config, Context, Effect, Layer, Option } from "effect"

/**
 * Whether this instance's Dapr sidecar answers, for `/ready`. The default is no sidecar (`npm start`: the
 * in-process bus stands in for Dapr); the services' composition roots provide `SidecarHealth.dapr`.
 */
export const SidecarHealth = Context.Reference<Effect.Effect<SidecarStatus>>("@todo/runtime/SidecarHealth", {
  defaultValue: () => Effect.succeed("none"),
})

/** Where the sidecar's HTTP API listens: DAPR_HTTP_ENDPOINT, or 127.0.0.1:DAPR_HTTP_PORT (injected by Dapr, 3500). */
export const SidecarUrl = Config.all({
  endpoint: Config.option(Config.String("DAPR_HTTP_ENDPOINT")),
  port: Config.Port("DAPR_HTTP_PORT").pipe(Config.withDefault(3500)),
}).pipe(
  Config.map(({ endpoint, port }) =>
    Option.getOrElse(endpoint, () => `http://127.0.0.1:${port}`).replace(/\/$/, ""),
  ),
)

/**
 * The sidecar is reachable when `GET /v1.0/healthz/outbound` answers 2xx within half a second: daprd's components
 * are loaded and its API is up (it does not wait for this app, unlike `/v1.0/healthz`, and needs no API token).
 * Half a second keeps `/ready` inside Kubernetes' default one-second probe timeout.
 */
export const daprSidecarHealth = (url: string): Effect.Effect<SidecarStatus> =>
  Effect.tryPromise((signal) =>
    fetch(`${url}/v1.0/healthz/outbound`, { signal: AbortSignal.any([signal, AbortSignal.timeout(500)]) }),
  ).pipe(
    Effect.map((response): SidecarStatus => (response.ok ? "reachable" : "unreachable")),
    Effect.orElseSucceed((): SidecarStatus => "unreachable"),
  )

export const DaprSidecarHealth = Layer.effect(SidecarHealth, Effect.map(SidecarUrl, daprSidecarHealth))
