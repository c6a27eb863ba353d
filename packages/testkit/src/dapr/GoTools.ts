import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { findHelm } from "../Helm.ts"
import { REPO_ROOT } from "../Processes.ts"

/** The Go programs the real-sidecar stack runs, built and cached by scripts/go-tools.sh. */
export interface GoTools {
  readonly daprd: string
  readonly kfake: string
  readonly helm: string
  /** Jaeger v2 (cmd/jaeger), only when asked for: nothing in the suite needs it yet. */
  readonly jaeger?: string
}

const SCRIPT = join(REPO_ROOT, "scripts", "go-tools.sh")

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
  options: { readonly build?: boolean; readonly jaeger?: boolean } = {},
): { readonly tools: GoTools } | { readonly skip: string } => {
  const check = script(["--check"])
  if (check.status !== 0) return { skip: `${check.stdout.trim() || check.stderr.trim()}` }
  const helm = findHelm()
  if (helm === undefined)
    return { skip: "helm not found (go install helm.sh/helm/v3/cmd/helm@v3.21.4, as .ci/run does)" }
  const paths: Record<string, string> = {}
  for (const tool of ["daprd", "kfake", ...(options.jaeger ? ["jaeger"] : [])]) {
    let found = script(["--path", tool])
    if (found.status !== 0 && options.build !== false) {
      const built = script([tool], true)
      if (built.status !== 0) throw new Error(`scripts/go-tools.sh ${tool} failed`)
      found = script(["--path", tool])
    }
    if (found.status !== 0) return { skip: `${tool} is not built: run scripts/go-tools.sh` }
    paths[tool] = found.stdout.trim()
  }
  return {
    tools: {
      daprd: paths.daprd!,
      kfake: paths.kfake!,
      helm,
      ...(paths.jaeger ? { jaeger: paths.jaeger } : {}),
    },
  }
}
