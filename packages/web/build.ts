import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { Effect, Schedule } from "effect"

/** packages/web: builds the UI when its sources changed (used by npm start and the browser tests). */
export const WEB_ROOT = import.meta.dirname
export const DIST = join(WEB_ROOT, "dist")
const CONTRACTS_SRC = join(WEB_ROOT, "..", "..", "contracts", "src")
const CALENDAR_SRC = join(WEB_ROOT, "..", "calendar", "src")

const newestMtime = (path: string): number => {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let newest = s.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** Whether `dist` is missing or older than anything it is built from. */
export const distIsStale = () => {
  const built = join(DIST, "index.html")
  if (!existsSync(built)) return true
  const sources = Math.max(
    newestMtime(join(WEB_ROOT, "src")),
    newestMtime(join(WEB_ROOT, "public")),
    newestMtime(join(WEB_ROOT, "index.html")),
    newestMtime(join(WEB_ROOT, "vite.config.ts")),
    newestMtime(join(WEB_ROOT, "package.json")),
    newestMtime(CONTRACTS_SRC),
    newestMtime(CALENDAR_SRC),
  )
  return statSync(built).mtimeMs < sources
}

/**
 * Takes the build lock (a directory: creating it is atomic), retrying every 250 ms for up to three minutes while
 * another test file holds it. A lock older than two minutes belongs to a crashed run and is removed.
 */
const takeLock = (lock: string) =>
  Effect.try({ try: () => mkdirSync(lock), catch: () => "held" as const }).pipe(
    Effect.tapError(() =>
      Effect.sync(() => {
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
          rmSync(lock, { recursive: true, force: true })
      }),
    ),
    Effect.retry(Schedule.spaced("250 millis").pipe(Schedule.upTo({ duration: "180 seconds" }))),
    Effect.mapError(() => new Error("timed out waiting for another test file to build the UI")),
  )

/**
 * Builds the production UI (`vite build` → packages/web/dist) when it is missing or stale. Test files run in
 * parallel workers, so a lock directory makes one of them build while the others wait.
 */
export const ensureBuilt = async () => {
  if (!distIsStale()) return
  const lock = join(WEB_ROOT, ".build-lock")
  await Effect.runPromise(takeLock(lock))
  try {
    if (!distIsStale()) return
    const vite = join(createRequire(import.meta.url).resolve("vite/package.json"), "..", "bin", "vite.js")
    const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: WEB_ROOT,
      encoding: "utf8",
      timeout: 170_000,
    })
    if (result.status !== 0) {
      throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** Usable as a vitest globalSetup for the web project: build once before any test file starts. */
export default async function setup() {
  await ensureBuilt()
}
