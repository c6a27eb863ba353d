// `npm start`: builds the web UI when its sources changed since the last build (a few seconds, once), then runs
// the whole system in one process (packages/app/src/main.ts).
import { ensureBuilt } from "../packages/web/build.ts"

try {
  await ensureBuilt()
} catch (error) {
  process.stderr.write(`The web UI could not be built; the API still starts. ${String(error)}\n`)
}
await import("../packages/app/src/main.ts")
