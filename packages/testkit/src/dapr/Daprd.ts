import { loopbackPort } from "./Ports.ts"
import { type Managed, spawnManaged } from "../ProcessGroup.ts"
import type { DaprResources } from "./Resources.ts"

export interface Daprd {
  readonly appId: string
  /** The sidecar's HTTP API, e.g. http://127.0.0.1:43121 (DAPR_HTTP_ENDPOINT for the app). */
  readonly url: string
  readonly httpPort: number
  readonly process: () => Managed
  readonly stop: () => Promise<void>
  readonly kill: () => Promise<void>
  /** Starts it again with the same ports and configuration (after stop or kill). */
  readonly start: () => Promise<void>
}

/**
 * A real daprd for `appId`, self-hosted as the Kubernetes injector would configure it: the chart's rendered
 * resources and Configuration, APIs on loopback only, every port free (HTTP, gRPC, internal gRPC, metrics), an app
 * channel to `appPort` if given, API tokens from the environment (DAPR_API_TOKEN: app → sidecar; APP_API_TOKEN:
 * sidecar → app). Resolves once `/v1.0/healthz/outbound` answers 204 (components loaded, the broker reached).
 */
export const startDaprd = async (options: {
  readonly binary: string
  readonly appId: string
  readonly resources: DaprResources
  readonly appPort?: number
  readonly daprApiToken?: string
  readonly appApiToken?: string
  readonly logLevel?: string
}): Promise<Daprd> => {
  const [httpPort, grpcPort, internalPort, metricsPort] = [
    await loopbackPort(),
    await loopbackPort(),
    await loopbackPort(),
    await loopbackPort(),
  ]
  const url = `http://127.0.0.1:${httpPort}`
  const args = [
    "--app-id",
    options.appId,
    "--dapr-listen-addresses",
    "127.0.0.1",
    "--dapr-http-port",
    String(httpPort),
    "--dapr-grpc-port",
    String(grpcPort),
    "--dapr-internal-grpc-port",
    String(internalPort),
    "--metrics-port",
    String(metricsPort),
    "--metrics-listen-address",
    "127.0.0.1",
    "--resources-path",
    options.resources.resourcesPath,
    "--config",
    options.resources.configPath,
    "--log-level",
    options.logLevel ?? "info",
    ...(options.appPort === undefined
      ? []
      : ["--app-port", String(options.appPort), "--app-protocol", "http"]),
  ]
  const env: Record<string, string> = {}
  for (const key of ["PATH", "HOME", "TMPDIR"]) if (process.env[key]) env[key] = process.env[key]!
  if (options.daprApiToken) env.DAPR_API_TOKEN = options.daprApiToken
  if (options.appApiToken) env.APP_API_TOKEN = options.appApiToken

  let current: Managed | undefined
  const start = async () => {
    const managed = spawnManaged({ name: `daprd ${options.appId}`, command: options.binary, args, env })
    current = managed
    const deadline = Date.now() + 30_000
    for (;;) {
      if (!managed.running())
        throw new Error(`daprd ${options.appId} exited during start-up:\n${managed.output().slice(-4000)}`)
      const ok = await fetch(`${url}/v1.0/healthz/outbound`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.status === 204)
        .catch(() => false)
      if (ok) return
      if (Date.now() > deadline) {
        await managed.kill()
        throw new Error(`daprd ${options.appId} not ready in 30 s:\n${managed.output().slice(-4000)}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  await start()
  return {
    appId: options.appId,
    url,
    httpPort,
    process: () => current!,
    stop: async () => current?.stop(),
    kill: async () => current?.kill(),
    start,
  }
}
