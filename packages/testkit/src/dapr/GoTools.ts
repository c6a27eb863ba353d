import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { findHelm } from "../Helm.ts"
import { REPO_ROOT } from "../Processes.ts"

/** The Go programs the real-sidecar stack runs, built and cached by scripts/go-tools.sh. */
export interface GoTools {
  readonly daprd: string
  readonly kfake: string
  readonly helm: string
  /** Jaeger v2 (cmd/jaeger), only when asked for (the trace test, `npm run start:dapr`, `TRACING=jaeger npm start`). */
  readonly jaeger?: string
}

export type GoTool = "daprd" | "kfake" | "jaeger"

const SCRIPT = join(REPO_ROOT, "scripts", "go-tools.sh")

const script = (args: ReadonlyArray<string>, inherit = false) =>
  spawnSync("bash", [SCRIPT, ...args], {
    encoding: "utf8",
    stdio: inherit ? ["ignore", "pipe", "inherit"] : ["ignore", "pipe", "pipe"],
  })

/** Why this machine's Go cannot build the tools, or undefined if it can. */
const goCheck = () => {
  const check = script(["--check"])
  return check.status === 0 ? undefined : check.stdout.trim() || check.stderr.trim()
}

/**
 * One tool's cached binary, built first if missing and `build` is not false (minutes the first time), or the one-line
 * reason it cannot be had here (no Go ≥ 1.26.4, or not built and `build: false`).
 */
export const ensureGoTool = (
  tool: GoTool,
  options: { readonly build?: boolean } = {},
): { readonly path: string } | { readonly skip: string } => {
  const go = goCheck()
  if (go !== undefined) return { skip: go }
  let found = script(["--path", tool])
  if (found.status !== 0 && options.build !== false) {
    const built = script([tool], true)
    if (built.status !== 0) throw new Error(`scripts/go-tools.sh ${tool} failed`)
    found = script(["--path", tool])
  }
  if (found.status !== 0) return { skip: `${tool} is not built: run scripts/go-tools.sh ${tool}` }
  return { path: found.stdout.trim() }
}

/**
 * The tools, building what is missing (minutes for the first daprd build; then cached under ~/.cache/todo-app), or
 * the one-line reason they cannot be had on this machine (no Go ≥ 1.26.4, no helm). `jaeger` adds Jaeger v2 (its
 * first build takes minutes too).
 */
export const ensureGoTools = (
  options: { readonly build?: boolean; readonly jaeger?: boolean } = {},
): { readonly tools: GoTools } | { readonly skip: string } => {
  const go = goCheck()
  if (go !== undefined) return { skip: go }
  const helm = findHelm()
  if (helm === undefined)
    return { skip: "helm not found (go install helm.sh/helm/v3/cmd/helm@v3.21.4, as .ci/run does)" }
  const paths: Partial<Record<GoTool, string>> = {}
  const wanted: ReadonlyArray<GoTool> = options.jaeger ? ["daprd", "kfake", "jaeger"] : ["daprd", "kfake"]
  for (const tool of wanted) {
    const found = ensureGoTool(tool, options)
    if ("skip" in found) return found
    paths[tool] = found.path
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
