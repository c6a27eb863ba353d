import { spawnSync } from "node:child_process"
import { accessSync, constants, statSync } from "node:fs"
import { homedir } from "node:os"
import { delimiter, join } from "node:path"
import { REPO_ROOT } from "../Processes.ts"

/** The Go programs the real-sidecar stack runs, built and cached by scripts/go-tools.sh. */
export interface GoTools {
  readonly daprd: string
  readonly kfake: string
  readonly helm: string
}

const SCRIPT = join(REPO_ROOT, "scripts", "go-tools.sh")

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** helm on PATH, else in $(go env GOPATH)/bin or ~/go/bin (where `go install` puts it). */
export const findHelm = (): string | undefined => {
  const candidates = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "helm"))
  const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" })
  if (gopath.status === 0 && gopath.stdout.trim() !== "")
    candidates.push(join(gopath.stdout.trim(), "bin", "helm"))
  candidates.push(join(homedir(), "go", "bin", "helm"))
  return candidates.find(isExecutable)
}

const script = (args: ReadonlyArray<string>, inherit = false) =>
  spawnSync("bash", [SCRIPT, ...args], {
    encoding: "utf8",
    stdio: inherit ? ["ignore", "pipe", "inherit"] : ["ignore", "pipe", "pipe"],
  })

/**
 * The tools, building what is missing (minutes for the first daprd build; then cached under ~/.cache/todo-app), or
 * the one-line reason they cannot be had on this machine (no Go ≥ 1.26.4, no helm).
 */
export const ensureGoTools = (
  options: { readonly build?: boolean } = {},
): { readonly tools: GoTools } | { readonly skip: string } => {
  const check = script(["--check"])
  if (check.status !== 0) return { skip: `${check.stdout.trim() || check.stderr.trim()}` }
  const helm = findHelm()
  if (helm === undefined)
    return { skip: "helm not found (go install helm.sh/helm/v3/cmd/helm@v3.21.4, as .ci/run does)" }
  const paths: Record<string, string> = {}
  for (const tool of ["daprd", "kfake"]) {
    let found = script(["--path", tool])
    if (found.status !== 0 && options.build !== false) {
      const built = script([tool], true)
      if (built.status !== 0) throw new Error(`scripts/go-tools.sh ${tool} failed`)
      found = script(["--path", tool])
    }
    if (found.status !== 0) return { skip: `${tool} is not built: run scripts/go-tools.sh` }
    paths[tool] = found.stdout.trim()
  }
  return { tools: { daprd: paths.daprd!, kfake: paths.kfake!, helm } }
}
