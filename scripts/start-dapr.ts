// `npm run start:dapr`: the deployed shape on one machine, like `dapr run -f`: kfake (a Kafka-protocol broker), the
// agent behind its own daprd and the api behind its own daprd, each a process, the sidecars loading the chart's Dapr
// resources rendered with deploy/dapr/values-local.yaml. daprd and kfake are built from their Go modules the first
// time (scripts/go-tools.sh; needs Go >= 1.26.4), and so is Jaeger v2, which receives the spans of both services and
// both sidecars (docs/observability.md) unless OTEL_EXPORTER_OTLP_ENDPOINT names another receiver. Database:
// DATABASE_URL, else the embedded PostgreSQL of `npm start` (.data/pg). Ctrl-C stops everything; nothing outlives
// this process (packages/testkit/src/ProcessGroup.ts).
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { startEmbeddedPostgres } from "../packages/runtime/src/EmbeddedPostgres.ts"
import { ensureGoTools } from "../packages/testkit/src/dapr/GoTools.ts"
import { type Jaeger, preferredPort, startJaeger } from "../packages/testkit/src/dapr/Jaeger.ts"
import { type Stack, type StackOptions, startStack } from "../packages/testkit/src/dapr/Stack.ts"
import { Effect, Exit, Redacted, Scope } from "effect"

const dataDir = join(process.cwd(), ".data")
const say = (line: string) => process.stdout.write(`${line}\n`)
const fail = (line: string): never => {
  process.stderr.write(`start:dapr: ${line}\n`)
  process.exit(1)
}

// daprd, kfake, helm, and Jaeger unless the spans go to a receiver of the user's own (OTEL_EXPORTER_OTLP_ENDPOINT).
const external = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
const found = ensureGoTools({ jaeger: external === undefined })
if ("skip" in found) fail(`cannot run real sidecars here: ${found.skip}`)
const { tools } = found as Extract<typeof found, { tools: unknown }>

// Tracing: both daprd get `sidecarTracing` (host:port, OTLP/HTTP) in their Configuration, the services
// OTEL_EXPORTER_OTLP_ENDPOINT. Jaeger on its documented ports (OTLP/HTTP 4318, UI and query API 16686) when they are
// free, else on free ones; or the user's receiver.
let jaeger: Jaeger | undefined
if (external === undefined) {
  jaeger = await startJaeger({
    binary: tools.jaeger!,
    otlpPort: await preferredPort(Number(process.env.JAEGER_OTLP_PORT ?? 4318)),
    queryPort: await preferredPort(Number(process.env.JAEGER_UI_PORT ?? 16686)),
  }).catch((error) => fail(`could not start Jaeger: ${String(error)}`))
}
const otlpUrl = jaeger?.otlpUrl ?? external!
const tracing: Pick<StackOptions, "sidecarTracing" | "env"> = {
  sidecarTracing: new URL(otlpUrl).host,
  env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl },
}

// The database: DATABASE_URL, or the embedded server npm start uses (same data).
const scope = Effect.runSync(Scope.make())
let databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) {
  say(`DATABASE_URL is not set: starting embedded PostgreSQL (data in ${join(dataDir, "pg")})`)
  const pg = await Effect.runPromise(
    startEmbeddedPostgres({ dataDir: join(dataDir, "pg"), persistent: true }).pipe(Scope.provide(scope)),
  )
  databaseUrl = Redacted.value(pg.url)
}

// The auth secret npm start keeps in .data/auth-secret, so sessions survive switching between the two modes.
const secretFile = join(dataDir, "auth-secret")
const authSecret =
  process.env.BETTER_AUTH_SECRET ??
  (existsSync(secretFile)
    ? readFileSync(secretFile, "utf8").trim()
    : (() => {
        mkdirSync(dataDir, { recursive: true })
        const generated = randomBytes(48).toString("base64url")
        writeFileSync(secretFile, generated, { mode: 0o600 })
        return generated
      })())

let stack: Stack | undefined
let stopping = false
const stop = async (code: number) => {
  if (stopping) return
  stopping = true
  say("stopping …")
  await stack?.stop()
  await jaeger?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  process.exit(code)
}
process.on("SIGINT", () => void stop(0))
process.on("SIGTERM", () => void stop(0))

const started = Date.now()
try {
  stack = await startStack({
    tools,
    databaseUrl,
    apiPort: Number(process.env.PORT ?? 4000),
    agentPort: Number(process.env.AGENT_PORT ?? 5000),
    logLevel: process.env.LOG_LEVEL ?? "info",
    logFormat: process.env.LOG_FORMAT ?? "json",
    apiEnv: { BETTER_AUTH_SECRET: authSecret, PUBLIC_URL: process.env.PUBLIC_URL ?? "http://localhost:4000" },
    ...tracing,
  })
} catch (error) {
  process.stderr.write(`start:dapr: could not start: ${String(error)}\n`)
  await stop(1)
}
const s = stack!
say(`todo-app behind real Dapr sidecars is ready in ${Date.now() - started} ms`)
say(`  api           ${s.api.url}        (OpenAPI at ${s.api.url}/api/openapi.json)`)
say(`  api daprd     ${s.apiSidecar.url}`)
say(`  agent         ${s.agent.url}`)
say(
  `  agent daprd   ${s.agentSidecar.url}  (delivers to the agent through a recording hop on :${s.tap.port})`,
)
say(`  kafka (kfake) ${s.kfake.brokers}   SASL SCRAM-SHA-512, user ${s.kfake.username}`)
say(
  jaeger
    ? `  jaeger        ${jaeger.queryUrl}  (traces of both services and both sidecars; query API ${jaeger.queryUrl}/api/traces/<trace id>, docs/observability.md)`
    : `  traces        exported to ${otlpUrl} (OTEL_EXPORTER_OTLP_ENDPOINT)`,
)
say("Ctrl-C stops everything. Logs: LOG_LEVEL=debug npm run start:dapr")

// The services' output, line by line, prefixed.
const relay = (name: string, child: (typeof s)["api"]["child"]) => {
  let partial = ""
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines) if (line.trim() !== "") say(`${name} | ${line}`)
  }
  child.stdout?.on("data", onData)
  child.stderr?.on("data", onData)
}
relay("api  ", s.api.child)
relay("agent", s.agent.child)
// A process that dies takes the others down: one line says which.
for (const [name, child] of [
  ["api", s.api.child],
  ["agent", s.agent.child],
] as const)
  child.once("exit", (code) => {
    if (stopping) return
    process.stderr.write(`start:dapr: the ${name} exited (${code}); stopping\n`)
    void stop(1)
  })
