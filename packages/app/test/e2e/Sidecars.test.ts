import { eventually, type ServiceProcess, signUp } from "@todo/testkit"
import type { DaprMesh } from "@todo/testkit/dapr/index"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Deployed, startDeployed } from "../support/Deployed.ts"
/**
 * The deployed shape, on one machine: api and agent as separate processes, each talking to its own simulated Dapr
 * sidecar (DAPR.md), with the simulated broker between the sidecars.
 */
describe("api and agent as separate processes behind sidecars", () => {
  let deployed: Deployed
  let api: ServiceProcess
  let agent: ServiceProcess
  let mesh: DaprMesh

  beforeAll(async () => {
    deployed = await startDeployed({ tokens: { dapr: "api-token-123", app: "app-token-456" } })
    ;({ api, agent, mesh } = deployed)
  }, 60_000)

  afterAll(async () => {
    await deployed?.stop()
  })

  it("a task created due yesterday gets its overdue suggestion within 2 seconds", async () => {
    const { client } = await signUp(api.url)
    const created = await client.api.tasks.create({
      body: { title: "Renew passport", dueDate: new Date(Date.now() - 24 * 3600_000).toISOString() },
      headers: { "x-correlation-id": "e2e-sidecars-1" },
    })
    expect(created.status).toBe(201)
    if (created.status !== 201) return
    const started = Date.now()
    const suggestion = await eventually(
      async () => {
        const res = await client.api.suggestions.list({ query: {} })
        return res.status === 200 ? res.body.items[0] : undefined
      },
      { timeoutMs: 2_000, what: `the overdue suggestion\n${agent.output()}\n${api.output()}` },
    )
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(suggestion).toMatchObject({
      taskId: created.body.id,
      type: "overdue",
      sourceEvent: "tasks.created",
      correlationId: "e2e-sidecars-1",
    })

    // Accepting moves the due date (through the same service as a PATCH) and the suggestion leaves the inbox.
    const accepted = await client.api.suggestions.accept({ params: { id: suggestion.id } })
    expect(accepted.status).toBe(200)
    if (accepted.status !== 200) return
    expect(accepted.body.task.dueDate).toBe(suggestion.proposedChange.dueDate)
    const pending = await client.api.suggestions.list({ query: { status: "pending" } })
    expect(pending.status === 200 && pending.body.items).toEqual([])

    // What crossed the sidecars is what DAPR.md prescribes.
    const [publish] = mesh.publishRequests({ appId: "todo-api" })
    expect(publish?.path).toBe("/v1.0/publish/pubsub-kafka/tasks-lifecycle")
    expect(publish?.headers["content-type"]).toBe("application/json")
    expect(publish?.headers["dapr-api-token"]).toBe("api-token-123")
    expect(publish?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    const query = new URLSearchParams(publish?.query)
    expect(query.get("metadata.partitionKey")).toBeTruthy()
    expect(query.get("metadata.cloudevent.type")).toBe("tasks.created")
    expect(mesh.deadLetters()).toEqual([])
  })
})
