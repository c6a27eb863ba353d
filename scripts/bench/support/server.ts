// The server under test, as its own process on a free port: `api` is packages/api/src/main.ts with a stub Dapr
// sidecar that answers 204 (dapr-stub.ts), `app` is packages/app/src/main.ts (the one-process mode).
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { join, relative } from "node:path"
import { freePort } from "@todo/runtime/embedded-postgres"
import { REPO_ROOT, startService } from "@todo/testkit"
import { Effect } from "effect"
import type { Database } from "./postgres.ts"

export type Mode = "api" | "app"
const SCRIPTS: Record<Mode, string> = { api: "packages/api/src/main.ts", app: "packages/app/src/main.ts" }
const SECRET = randomBytes(32).toString("base64url")
/** Where `npm start` keeps it (package.json); entries are per file path, so another checkout's live beside. */
const COMPILE_CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "node-compile-cache")

export interface Running {
  readonly url: string
  readonly pid: number
  readonly stop: () => Promise<void>
  /** Bytes the server has written to stdout/stderr (its logs). */
  readonly outputBytes: () => number
}

/** A stub Dapr sidecar in its own process (so its work is not the load generator's); answers 204. */
const startStub = async () => {
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, "dapr-stub.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(JSON.parse(String(d)).port as number))
    child.once("exit", (code) => reject(new Error(`the stub sidecar exited with ${code}`)))
  })
  return {
    port,
    stop: () => {
      child.kill("SIGTERM")
    },
  }
}

export const startServer = async (
  mode: Mode,
  db: Database,
  options: {
    readonly nodeOptions: string
    /**
     * Node's compile cache on (NODE_COMPILE_CACHE, as the start scripts and the images run: the type-stripped
     * TypeScript and its code read back instead of stripped again; docs/BENCHMARKS.md, "Issue 17: memory").
     */
    readonly compileCache?: boolean | undefined
    /** More environment for the server (`--server-env=` in api.ts), e.g. glibc's MALLOC_ARENA_MAX. */
    readonly env?: Record<string, string> | undefined
    readonly profileDir?: string | undefined
    /**
     * Another checkout to run the server from (`--baseline=DIR` in api.ts: an extracted git ref with its own
     * node_modules/@todo links), instead of this one. The database schema stays this tree's.
     */
    readonly root?: string | undefined
  },
): Promise<Running> => {
  const stub = mode === "api" ? await startStub() : undefined
  const service = await startService({
    // startService resolves the script against this repository's root.
    script: options.root ? relative(REPO_ROOT, join(options.root, SCRIPTS[mode])) : SCRIPTS[mode],
    port: await Effect.runPromise(freePort),
    env: {
      DATABASE_URL: db.url,
      BETTER_AUTH_SECRET: SECRET,
      LOG_LEVEL: "warn",
      MIGRATE_ON_START: "false",
      AUTH_RATE_LIMIT_PER_IP: "1000000",
      AUTH_RATE_LIMIT_PER_ACCOUNT: "1000000",
      ...(stub ? { DAPR_HTTP_PORT: String(stub.port) } : {}),
      ...(options.compileCache ? { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR } : {}),
      ...options.env,
      NODE_OPTIONS: [
        options.nodeOptions,
        options.profileDir ? `--cpu-prof --cpu-prof-dir=${options.profileDir}` : "",
      ]
        .join(" ")
        .trim(),
    },
    readyTimeoutMs: 60_000,
  })
  return {
    url: service.url,
    pid: service.child.pid!,
    outputBytes: () => service.output().length,
    stop: async () => {
      const code = await service.stop(20_000)
      stub?.stop()
      // 130: NodeRuntime's exit code after an interrupt (the SIGTERM we sent).
      if (code !== 0 && code !== 130 && code !== null)
        console.log(`  (server exited with ${code}: ${service.output().slice(-2000)})`)
    },
  }
}
