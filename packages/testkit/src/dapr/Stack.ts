import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ServiceProcess, startService } from "../Processes.ts"
import { type Daprd, startDaprd } from "./Daprd.ts"
import { type DeliveryTap, startDeliveryTap } from "./DeliveryTap.ts"
import type { GoTools } from "./GoTools.ts"
import { type Kfake, startKfake } from "./Kfake.ts"
import { loopbackPort } from "./Ports.ts"
import { type DaprResources, renderDaprResources } from "./Resources.ts"

export const API_APP_ID = "todo-api"
export const AGENT_APP_ID = "todo-agent"

export interface Stack {
  readonly kfake: Kfake
  readonly resources: DaprResources
  readonly api: ServiceProcess
  readonly apiSidecar: Daprd
  readonly agent: ServiceProcess
  readonly agentSidecar: Daprd
  /** Between the agent's sidecar and the agent: every delivery attempt, as the sidecar made it. */
  readonly tap: DeliveryTap
  readonly tokens: { readonly dapr: string; readonly app: string }
  /** Stops everything (also what failed to stop cleanly) and removes the stack's files. */
  readonly stop: () => Promise<void>
}

export interface StackOptions {
  readonly tools: GoTools
  readonly databaseUrl: string
  /** host:port of an OTLP/HTTP receiver for the sidecars' spans (the chart's tracing Configuration). */
  readonly sidecarTracing?: string
  /** Extra environment of both services (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly env?: Record<string, string>
  readonly apiEnv?: Record<string, string>
  readonly agentEnv?: Record<string, string>
  readonly apiPort?: number
  readonly agentPort?: number
  /** Services' log level (default debug). */
  readonly logLevel?: string
  readonly logFormat?: string
  readonly daprdLogLevel?: string
}

const token = () => randomBytes(24).toString("base64url")

/**
 * The deployed shape on one machine with real parts: kfake (SASL SCRAM-SHA-512), the agent and its daprd, the api
 * and its daprd, each daprd loading the chart's Dapr resources rendered with local values, API tokens on in both
 * directions as the chart sets them, every port free on loopback. Start order as in a pod that works: broker first
 * (daprd exits without it), the agent listening before its daprd starts (daprd reads /dapr/subscribe once).
 */
export const startStack = async (options: StackOptions): Promise<Stack> => {
  const dir = mkdtempSync(join(tmpdir(), "todo-dapr-"))
  const stops: Array<() => Promise<unknown>> = []
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const tokens = { dapr: token(), app: token() }
    const kfake = await startKfake({ binary: options.tools.kfake, dataDir: join(dir, "kfake") })
    stops.push(() => kfake.stop())
    const resources = renderDaprResources({
      helm: options.tools.helm,
      dir,
      kafka: { brokers: kfake.brokers, username: kfake.username, password: kfake.password },
      ...(options.sidecarTracing ? { tracingEndpoint: options.sidecarTracing } : {}),
    })
    const common = {
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.logLevel ?? "debug",
      LOG_FORMAT: options.logFormat ?? "json",
      ...options.env,
    }

    const agent = await startService({
      script: "packages/agent/src/main.ts",
      port: options.agentPort ?? (await loopbackPort()),
      env: {
        ...common,
        APP_API_TOKEN: tokens.app,
        AGENT_SUGGESTIONS_PER_HOUR: "100000",
        ...options.agentEnv,
      },
    })
    stops.push(() => agent.stop())
    const tap = await startDeliveryTap(agent.port)
    stops.push(() => tap.close())
    const agentSidecar = await startDaprd({
      binary: options.tools.daprd,
      appId: AGENT_APP_ID,
      resources,
      appPort: tap.port,
      appApiToken: tokens.app,
      ...(options.daprdLogLevel ? { logLevel: options.daprdLogLevel } : {}),
    })
    stops.push(() => agentSidecar.stop())

    const apiPort = options.apiPort ?? (await loopbackPort())
    const apiSidecar = await startDaprd({
      binary: options.tools.daprd,
      appId: API_APP_ID,
      resources,
      appPort: apiPort,
      daprApiToken: tokens.dapr,
      ...(options.daprdLogLevel ? { logLevel: options.daprdLogLevel } : {}),
    })
    stops.push(() => apiSidecar.stop())
    const api = await startService({
      script: "packages/api/src/main.ts",
      port: apiPort,
      env: {
        ...common,
        BETTER_AUTH_SECRET: token(),
        DAPR_HTTP_ENDPOINT: apiSidecar.url,
        DAPR_API_TOKEN: tokens.dapr,
        AUTH_RATE_LIMIT_PER_IP: "100000",
        AUTH_RATE_LIMIT_PER_ACCOUNT: "100000",
        ...options.apiEnv,
      },
    })
    stops.push(() => api.stop())
    return { kfake, resources, api, apiSidecar, agent, agentSidecar, tap, tokens, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}
