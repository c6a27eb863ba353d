import { mkdirSync } from "node:fs"
import { loopbackPort } from "./Ports.ts"
import { type Managed, spawnManaged } from "../ProcessGroup.ts"

export interface Kfake {
  readonly port: number
  readonly brokers: string
  readonly username: string
  readonly password: string
  /** Where the broker keeps its state (log segments, topics, consumer groups and their offsets). */
  readonly dataDir: string
  readonly process: () => Managed
  /** SIGTERM: the broker writes its state to its data directory and exits. */
  readonly stop: () => Promise<void>
  /** Starts it again on the same port with the same data: topics, records and committed offsets survive. */
  readonly start: () => Promise<void>
}

/**
 * kfake (scripts/kfake), a Kafka-protocol broker, on a free loopback port with SASL SCRAM-SHA-512 and a data
 * directory, so a stop and start keeps what a real broker keeps. Every produce is fsynced (-sync) unless `sync` is
 * false: a SIGKILL loses nothing the broker acknowledged.
 */
export const startKfake = async (options: {
  readonly binary: string
  /** The broker's data directory (created if missing); the caller removes it. */
  readonly dataDir: string
  readonly username?: string
  readonly password?: string
  readonly partitions?: number
  /**
   * fsync every produce before acknowledging it (default true: the drills SIGKILL the broker and count on it). A
   * Kafka broker does not (it leaves flushing to the OS and relies on replication), so a benchmark of the event
   * path passes false.
   */
  readonly sync?: boolean
  /** kfake's own log on its output (none, error, warn, info, debug); warn by default. */
  readonly logLevel?: string
}): Promise<Kfake> => {
  const port = await loopbackPort()
  const dataDir = options.dataDir
  mkdirSync(dataDir, { recursive: true })
  const username = options.username ?? "todo"
  const password = options.password ?? `kfake-${Math.random().toString(36).slice(2)}`
  let current: Managed | undefined
  const start = async () => {
    current = spawnManaged({
      name: "kfake",
      command: options.binary,
      args: [
        "-port",
        String(port),
        "-user",
        username,
        "-mechanism",
        "SCRAM-SHA-512",
        "-partitions",
        String(options.partitions ?? 3),
        "-data-dir",
        dataDir,
        ...(options.sync === false ? [] : ["-sync"]),
        "-log-level",
        options.logLevel ?? "warn",
      ],
      env: { ...(process.env as Record<string, string>), KFAKE_PASSWORD: password },
    })
    await current.waitForOutput(/kfake listening on /, 10_000)
  }
  await start()
  return {
    port,
    brokers: `127.0.0.1:${port}`,
    username,
    password,
    dataDir,
    process: () => current!,
    stop: async () => current?.stop(),
    start,
  }
}
