// The Kafka Secret the operator creates (secrets.kafka.existingSecret) is read by helm at install and upgrade
// time: a value with surrounding whitespace, a missing key or a CA that is not PEM fails the release with one
// clear line before anything is applied. `helm template --dry-run=server` runs the same `lookup`; here it
// talks to a small stand-in for the Kubernetes API on loopback that serves discovery and the one Secret.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  chartDir,
  findHelm,
  guideValuesFile,
  type HelmResult,
  helmMissingReason,
  helmTemplateArgs,
  kubeVersion,
  parseDocuments,
  runAsync,
} from "./support.ts"

const helm = findHelm()
if (helm === undefined) console.warn(helmMissingReason)

const pem = "-----BEGIN CERTIFICATE-----\nMIIBsentinel\n-----END CERTIFICATE-----\n"
const clean = {
  brokers: "db-kafka-fra1-0.db.ondigitalocean.com:25073",
  username: "todo-dapr",
  password: "s3cret",
  "ca.crt": pem,
}

describe.skipIf(helm === undefined)(
  "the Kafka Secret, checked from the cluster at install and upgrade",
  () => {
    const h = helm ?? "helm"
    let server: Server
    let tmp = ""
    let kubeconfig = ""
    let myValues = ""
    /** What the stand-in API answers for todo/todo-kafka: its data, or undefined for 404. */
    let stored: Record<string, string> | undefined
    const requests: string[] = []

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), "todo-kafka-secret-"))
      myValues = guideValuesFile(tmp)
      server = createServer((req, res) => {
        const path = (req.url ?? "").split("?")[0]
        requests.push(`${req.method} ${path}`)
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" })
          res.end(JSON.stringify(body))
        }
        if (path === "/version") return json(200, { major: "1", minor: "34", gitVersion: `v${kubeVersion}` })
        if (path === "/api")
          return json(200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] })
        if (path === "/apis") return json(200, { kind: "APIGroupList", apiVersion: "v1", groups: [] })
        if (path === "/api/v1")
          return json(200, {
            kind: "APIResourceList",
            groupVersion: "v1",
            resources: [
              { name: "secrets", singularName: "secret", namespaced: true, kind: "Secret", verbs: ["get"] },
            ],
          })
        if (path === "/api/v1/namespaces/todo/secrets/todo-kafka" && stored !== undefined)
          return json(200, {
            kind: "Secret",
            apiVersion: "v1",
            metadata: { name: "todo-kafka", namespace: "todo" },
            data: Object.fromEntries(
              Object.entries(stored).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
            ),
          })
        return json(404, {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "NotFound",
          code: 404,
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as AddressInfo
      kubeconfig = join(tmp, "kubeconfig")
      writeFileSync(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: stand-in, cluster: { server: "http://127.0.0.1:${port}" } }]
users: [{ name: u, user: { token: not-a-real-token } }]
contexts: [{ name: c, context: { cluster: stand-in, user: u, namespace: todo } }]
current-context: c
`,
      )
    })
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve))
      if (tmp !== "") rmSync(tmp, { recursive: true, force: true })
    })

    // Asynchronous: the stand-in API answers from this process's event loop.
    const install = (): Promise<HelmResult> =>
      runAsync(
        h,
        helmTemplateArgs(["--dry-run=server", "-f", join(chartDir, "values-doks.yaml"), "-f", myValues]),
        {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmp },
        },
      )

    it("a clean Secret passes, and helm did read it from the cluster", async () => {
      stored = { ...clean }
      requests.length = 0
      const r = await install()
      expect(r.stderr).toBe("")
      expect(r.status).toBe(0)
      expect(parseDocuments(r.stdout).some((d) => d.kind === "Component")).toBe(true)
      expect(requests).toContain("GET /api/v1/namespaces/todo/secrets/todo-kafka")
    })

    it.each([
      ["password", "s3cret\n", "the value has leading or trailing whitespace"],
      ["brokers", `${clean.brokers}\n`, "the value has leading or trailing whitespace"],
      ["username", " todo-dapr", "the value has leading or trailing whitespace"],
      ["password", "", "the value is empty"],
      ["ca.crt", "not a certificate", "not a PEM certificate"],
    ])("refuses %s = %j", async (key, value, message) => {
      stored = { ...clean, [key]: value }
      const r = await install()
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain(`Secret todo-kafka`)
      expect(r.stderr).toContain(message)
      expect(r.stdout).toBe("")
    })

    it("refuses a Secret without one of the four keys", async () => {
      const { password: _, ...rest } = clean
      stored = rest
      const r = await install()
      expect(r.status).not.toBe(0)
      expect(r.stderr).toContain("Secret todo-kafka has no key password")
    })

    it("leaves the check to the sidecar when the Secret is not there yet (nothing to read)", async () => {
      stored = undefined
      const r = await install()
      expect(r.status).toBe(0)
    })
  },
)
