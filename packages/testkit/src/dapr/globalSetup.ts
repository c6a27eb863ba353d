import type { TestProject } from "vitest/node"
import { ensureGoTools, type GoTools } from "./GoTools.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** daprd, kfake, Jaeger and helm for the real-sidecar suite, or null when this machine cannot run it. */
    daprTools: GoTools | null
    daprSkipReason: string
  }
}

/**
 * Global setup of the real-sidecar suite: builds daprd, kfake and Jaeger if they are not cached yet (scripts/go-tools.sh;
 * minutes the first time on a machine, then nothing), or says in one line why the suite is skipped here.
 */
export default function setup(project: TestProject) {
  const started = Date.now()
  const found = ensureGoTools({ jaeger: true })
  if ("skip" in found) {
    console.log(`[dapr] the real-sidecar tests are skipped: ${found.skip}`)
    project.provide("daprTools", null)
    project.provide("daprSkipReason", found.skip)
    return
  }
  console.log(
    `[dapr] daprd ${found.tools.daprd}, kfake ${found.tools.kfake}, jaeger ${found.tools.jaeger} (ready in ${Date.now() - started} ms)`,
  )
  project.provide("daprTools", found.tools)
  project.provide("daprSkipReason", "")
}
