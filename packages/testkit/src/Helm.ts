import { spawnSync } from "node:child_process"
import { accessSync, constants, statSync } from "node:fs"
import { homedir } from "node:os"
import { delimiter, join } from "node:path"

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** A Go-installed tool on PATH, else in $(go env GOPATH)/bin (where .ci/run's `go install` puts it), else ~/go/bin. */
export const findTool = (name: string): string | undefined => {
  const candidates = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name))
  const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" })
  if (gopath.status === 0 && gopath.stdout.trim() !== "")
    candidates.push(join(gopath.stdout.trim(), "bin", name))
  candidates.push(join(homedir(), "go", "bin", name))
  return candidates.find(isExecutable)
}

export const findHelm = (): string | undefined => findTool("helm")
