import { apiContract } from "@todo/contracts"
import { eventually, signUp } from "@todo/testkit"
import type { AppRoute } from "@ts-rest/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestApp, type TestApp } from "./support/TestApp.ts"

let app: TestApp
beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app?.stop()
})

/** Every route of the contract that names a resource by id. */
const routesWithIds = (router: Record<string, unknown>, name = "api"): Array<[string, AppRoute]> =>
  Object.entries(router).flatMap(([key, value]): Array<[string, AppRoute]> => {
    const v = value as { method?: string; path?: string }
    if (typeof v.method === "string" && typeof v.path === "string") {
      return v.path.includes("/:") ? [[`${name}.${key}`, value as AppRoute]] : []
    }
    return routesWithIds(value as Record<string, unknown>, `${name}.${key}`)
  })

/** A body that would pass validation, so a 404 comes from ownership, not from a 400. */
const bodies: Record<string, unknown> = {
  "api.tasks.update": { title: "hijacked" },
}

describe("authorization matrix: user B gets a 404 for every route naming user A's resource", () => {
  it("covers every route with an id in the contract", async () => {
    const alice = await signUp(app.baseUrl, "Alice")
    const bob = await signUp(app.baseUrl, "Bob")
    const task = await alice.client.api.tasks.create({
      body: { title: "Alice's", dueDate: new Date(Date.now() - 86_400_000).toISOString() },
    })
    if (task.status !== 201) throw new Error("create failed")
    // The overdue agent gives Alice a suggestion to point at.
    const suggestionId = await eventually(
      async () => {
        const res = await alice.client.api.suggestions.list({ query: {} })
        return res.status === 200 ? res.body.items[0]?.id : undefined
      },
      { what: "Alice's overdue suggestion" },
    )
    // Ids of Alice's resources, by the path parameter that names them. A route whose resource kind is not listed
    // here fails the test: adding a route with an id means adding it to this matrix.
    const ids: Record<string, string | undefined> = {
      "/api/tasks/:id": task.body.id,
      "/api/suggestions/:id": suggestionId,
      // No notification or conversation of Alice's exists yet: any id is then someone else's.
      "/api/notifications/:id": "00000000-0000-4000-8000-000000000001",
      "/api/chat/:conversationId": "00000000-0000-4000-8000-000000000002",
      "/api/admin/dead-letters/:id": "00000000-0000-4000-8000-000000000003",
    }
    const routes = routesWithIds(apiContract)
    expect(routes.length).toBeGreaterThanOrEqual(12)
    for (const [name, route] of routes) {
      const prefix = Object.keys(ids).find((p) => route.path.startsWith(p))
      expect(prefix, `no resource id for ${name} (${route.path})`).toBeDefined()
      const id = ids[prefix!]!
      const path = route.path.replace(/:[A-Za-z]+/, id)
      const body = bodies[name]
      const res = await fetch(`${app.baseUrl}${path}`, {
        method: route.method,
        headers: {
          authorization: `Bearer ${bob.token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      // Admin routes are closed to non-admins before any lookup.
      const expected = route.path.startsWith("/api/admin/") ? 403 : 404
      expect(res.status, `${name} ${route.method} ${path}`).toBe(expected)
      expect(res.headers.get("content-type"), name).toMatch(/problem\+json/)
    }
    // Nothing Bob tried changed Alice's task.
    const after = await alice.client.api.tasks.get({ params: { id: task.body.id } })
    expect(after.status === 200 && after.body).toMatchObject({
      title: "Alice's",
      completed: false,
      version: 1,
    })
    const suggestions = await alice.client.api.suggestions.list({ query: {} })
    expect(suggestions.status === 200 && suggestions.body.items.map((s) => s.status)).toEqual(["pending"])
  })
})
