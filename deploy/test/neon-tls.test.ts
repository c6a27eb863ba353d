// docs/deploy-doks.md gives Neon's connection string with sslmode=require. Neon accepts TLS only; this runs a
// PostgreSQL that does the same (hostssl only, its own CA) and connects with both drivers the services use: the
// app's (@effect/sql-pg, through packages/runtime's pgClientLayer) and Better Auth's (pg). It shows that the
// guide's URL gets TLS with certificate verification, and that a URL without it is refused.
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "./support.ts"

/** The newest PostgreSQL server binaries of the machine (Debian's layout), if any. */
const pgBin = ((): string | undefined => {
  const base = "/usr/lib/postgresql"
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a))
  return versions.map((v) => join(base, v, "bin")).find((d) => existsSync(join(d, "postgres")))
})()
const isRoot = process.getuid?.() === 0
/** PostgreSQL refuses to run as root: as root, run it as the `postgres` account Debian's package creates. */
const pgUser = ((): { uid: number; gid: number } | undefined => {
  if (!isRoot) return undefined
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" })
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" })
  return r.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : undefined
})()
const openssl = spawnSync("openssl", ["version"]).status === 0
const skip = pgBin === undefined || !openssl || (isRoot && pgUser === undefined)
if (skip)
  console.warn(
    "no PostgreSQL server binaries, openssl, or (as root) postgres account: the TLS check is skipped",
  )

const asPg = (cmd: string, args: string[]): [string, string[]] =>
  isRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args]

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

/** Connects with the app's driver and Better Auth's, in a fresh Node process (NODE_EXTRA_CA_CERTS is read at start). */
const probe = (url: string, ca: string | undefined) => {
  const script = `
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import pg from "pg"
import { pgClientLayer } from ${JSON.stringify(join(repoRoot, "packages/runtime/src/Database.ts"))}
const url = process.argv[2]
const app = await Effect.runPromise(
  Effect.gen(function* () {
    const sql = yield* SqlClient
    const rows = yield* sql\`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()\`
    return rows[0].ssl === true ? "tls" : "plain"
  }).pipe(Effect.provide(pgClientLayer(Redacted.make(url), 1)), Effect.scoped, Effect.timeout("10 seconds")),
).catch((e) => "error: " + String(e?.cause?.message ?? e?.message ?? e))
const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10000 })
const auth = await pool
  .query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
  .then((r) => (r.rows[0].ssl === true ? "tls" : "plain"))
  .catch((e) => "error: " + String(e?.message ?? e))
await pool.end().catch(() => {})
console.log(JSON.stringify({ app, auth }))
process.exit(0)
`
  const file = join(repoRoot, "deploy", "test", `.neon-probe-${process.pid}-${Date.now()}.mts`)
  writeFileSync(file, script)
  try {
    const out = execFileSync(process.execPath, [file, url], {
      cwd: repoRoot,
      encoding: "utf8",
      env: {
        ...process.env,
        ...(ca !== undefined ? { NODE_EXTRA_CA_CERTS: ca } : {}),
        NODE_NO_WARNINGS: "1",
      },
      timeout: 60_000,
    })
    return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { app: string; auth: string }
  } finally {
    rmSync(file, { force: true })
  }
}

describe.skipIf(skip)("a TLS-only PostgreSQL, as Neon is, and the guide's sslmode=require", () => {
  let dir = ""
  let port = 0
  let ca = ""
  let server: ReturnType<typeof spawn> | undefined

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "todo-neon-tls-"))
    const data = join(dir, "data")
    const run = join(dir, "run")
    mkdirSync(run)
    // A CA and a server certificate for 127.0.0.1, as Neon's is for its host name.
    const ssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" })
    ssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=todo test CA",
    ])
    ssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    ])
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ssl([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.crt",
      "-days",
      "2",
      "-extfile",
      "san.ext",
    ])
    ca = join(dir, "ca.crt")
    if (pgUser !== undefined)
      for (const f of [dir, run, join(dir, "server.key"), join(dir, "server.crt")])
        chownSync(f, pgUser.uid, pgUser.gid)
    execFileSync(
      ...asPg(join(pgBin as string, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
      { stdio: "ignore" },
    )
    port = await freePort()
    writeFileSync(
      join(data, "pg_hba.conf"),
      "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n",
    )
    const [cmd, args] = asPg(join(pgBin as string, "postgres"), [
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${run}`,
      "-c",
      "ssl=on",
      "-c",
      `ssl_cert_file=${join(dir, "server.crt")}`,
      "-c",
      `ssl_key_file=${join(dir, "server.key")}`,
    ])
    server = spawn(cmd, args, { stdio: "ignore" })
    const ready = join(pgBin as string, "pg_isready")
    for (let i = 0; i < 100; i++) {
      if (spawnSync(ready, ["-h", "127.0.0.1", "-p", String(port), "-q"]).status === 0) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error("the TLS-only PostgreSQL did not start")
  }, 60_000)
  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once("exit", r))
      // runuser does not pass signals on: stop the server itself.
      spawnSync(
        ...asPg(join(pgBin as string, "pg_ctl"), ["-D", join(dir, "data"), "-m", "fast", "-w", "stop"]),
        { stdio: "ignore" },
      )
      await exited
    }
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })

  it("sslmode=require: both drivers connect over TLS (the server's certificate verified against its CA)", () => {
    expect(probe(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=require`, ca)).toEqual({
      app: "tls",
      auth: "tls",
    })
  })

  it("Neon's extra parameter channel_binding=require is accepted beside it", () => {
    expect(
      probe(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=require&channel_binding=require`, ca).app,
    ).toBe("tls")
  })

  it("without sslmode the server refuses the plain connection; with a certificate nobody vouches for, the drivers refuse", () => {
    const plain = probe(`postgres://postgres@127.0.0.1:${port}/postgres`, ca)
    expect(plain.app).toMatch(/^error: /)
    expect(plain.auth).toMatch(/no encryption|hostssl|pg_hba/)
    const untrusted = probe(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=require`, undefined)
    expect(untrusted.app).toMatch(/^error: /)
    expect(untrusted.auth).toMatch(/^error: .*(self[- ]signed|unable to verify|certificate)/i)
  })
})
