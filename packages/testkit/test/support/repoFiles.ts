import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { REPO_ROOT } from "../../src/Processes.ts"

/** Every file under `dir` (relative to the repository root, as `dir/…`), skipping node_modules, dist and dot folders. */
export const repoFiles = (dir: string): Array<string> =>
  readdirSync(join(REPO_ROOT, dir)).flatMap((name) => {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) return []
    const path = join(REPO_ROOT, dir, name)
    return statSync(path).isDirectory() ? repoFiles(relative(REPO_ROOT, path)) : [relative(REPO_ROOT, path)]
  })
