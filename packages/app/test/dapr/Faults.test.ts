import { readFileSync } from "node:fs"
import { join } from "node:path"
import { queryRows, signUp } from "@todo/testkit"
import { eventually } from "@todo/testkit"
import { expect, it } from "vitest"
import { count, describeDapr, report, sharedStack } from "./support.ts"

/**
 * Fault drills on the real stack: the api's daprd killed and restarted, the broker stopped and started, the api
 * SIGKILLed, each in the middle of a burst of task writes. Writes never wait for the sidecar (the events wait in the
 * outbox); afterwards every committed task's event is processed exactly once.
 */
describeDapr("faults during write bursts, through real daprd sidecars and kafka", () => {
  const shared = sharedStack({
    logLevel: "info",
    apiEnv: {
      OUTBOX_SWEEP_INTERVAL: "500 millis",
      DAPR_PUBLISH_TIMEOUT: "2 seconds",
    },
  })

  /** `total` task writes from 5 users, 10 at a time; `fault` runs once `faultAt` of them have been answered. */
  const burst = async (label: string, total: number, faultAt: number, fault: () => Promise<void>) => {
    const users = await Promise.all(Array.from({ length: 5 }, () => signUp(shared.stack.api.url)))
    const statuses: Array<number | string> = []
    let faulted: Promise<void> | undefined
    let next = 0
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < total) {
          const i = next++
          const status = await users[i % users.length]!.client.api.tasks.create({
            body: { title: `${label} ${i}` },
          })
            .then((r) => r.status as number | string)
            .catch((e: unknown) => `failed: ${String(e).slice(0, 80)}`)
          statuses.push(status)
          if (statuses.length === faultAt) faulted = fault()
        }
      }),
    )
    await faulted
    return { users: users.map((u) => u.user.id), statuses }
  }

  /** Waits until every outbox event of these users is processed; returns the wait and the duplicate deliveries. */
  const allProcessed = async (userIds: ReadonlyArray<string>, timeoutMs = 90_000) => {
    const { db, stack } = shared
    const events = (
      await queryRows<{ event_id: string }>(
        db.url,
        "SELECT event_id::text FROM outbox WHERE user_id = ANY($1::uuid[])",
        [userIds],
      )
    ).map((e) => e.event_id)
    const started = Date.now()
    await eventually(
      async () =>
        (await count(db.url, "SELECT count(*) AS n FROM processed_events WHERE event_id = ANY($1)", [
          events,
        ])) === events.length
          ? true
          : undefined,
      { timeoutMs, what: `all ${events.length} events processed` },
    )
    const ids = new Set(events)
    const delivered = stack.tap.deliveries("/events/tasks-lifecycle").filter((d) => ids.has(d.eventId ?? ""))
    const succeeded = delivered.filter((d) => d.status === 200 && d.answer.includes("SUCCESS"))
    return {
      events,
      catchUpMs: Date.now() - started,
      duplicates: succeeded.length - new Set(succeeded.map((d) => d.eventId)).size,
    }
  }

  it("the api's daprd is killed during 500 writes and restarted: every write succeeds, every event is processed once", async () => {
    const { stack } = shared
    let outageMs = 0
    const { users, statuses } = await burst("sidecar", 500, 100, async () => {
      const down = Date.now()
      await stack.apiSidecar.kill()
      // Down while a good part of the burst goes on.
      await eventually(async () => (Date.now() - down > 2_000 ? true : undefined), { timeoutMs: 3_000 })
      await stack.apiSidecar.start()
      outageMs = Date.now() - down
    })
    expect(statuses.filter((s) => s !== 201)).toEqual([])
    const { events, catchUpMs, duplicates } = await allProcessed(users)
    expect(events).toHaveLength(500)
    report("api daprd SIGKILL during 500 writes", {
      "sidecar down ms": outageMs,
      "writes failed": 0,
      "all processed ms after the burst": catchUpMs,
      "duplicate deliveries (no effect)": duplicates,
    })
  })

  it("the broker is stopped during 500 writes and started again: every event is processed once", async () => {
    const { stack } = shared
    let outageMs = 0
    let groups = ""
    const { users, statuses } = await burst("broker", 500, 100, async () => {
      const down = Date.now()
      await stack.kfake.stop()
      groups = readFileSync(join(stack.kfake.dataDir, "groups.log"), "latin1")
      await eventually(async () => (Date.now() - down > 2_000 ? true : undefined), { timeoutMs: 3_000 })
      await stack.kfake.start()
      outageMs = Date.now() - down
    })
    expect(statuses.filter((s) => s !== 201)).toEqual([])
    const { events, catchUpMs, duplicates } = await allProcessed(users)
    expect(events).toHaveLength(500)
    // Both sidecars rode it out: neither exited.
    expect(stack.apiSidecar.process().running()).toBe(true)
    expect(stack.agentSidecar.process().running()).toBe(true)
    // The consumer group the broker kept across the restart is the chart's, namespaced per environment and
    // release, with the app-id filled in by daprd; the api's sidecar (subscription scopes: none) joined none.
    expect(groups).toContain("local.todo.todo.todo-agent")
    expect(groups).not.toContain("todo-api")
    report("broker stopped during 500 writes", {
      "broker down ms": outageMs,
      "all processed ms after the burst": catchUpMs,
      "duplicate deliveries (no effect)": duplicates,
    })
  })

  it("the api is SIGKILLed mid-burst: after a restart every committed task's event is processed once", async () => {
    const { stack, db } = shared
    const { users, statuses } = await burst("crash", 300, 150, async () => {
      await stack.api.kill()
    })
    const failed = statuses.filter((s) => s !== 201).length
    expect(failed).toBeGreaterThan(0)
    await stack.api.restart()
    // Every committed task has exactly one outbox event, whatever the crash cut off.
    const committed = await count(db.url, "SELECT count(*) AS n FROM tasks WHERE user_id = ANY($1::uuid[])", [
      users,
    ])
    expect(committed).toBeGreaterThanOrEqual(statuses.filter((s) => s === 201).length)
    expect(
      await count(
        db.url,
        "SELECT count(*) AS n FROM tasks t WHERE t.user_id = ANY($1::uuid[]) AND (SELECT count(*) FROM outbox o WHERE o.task_id = t.id) <> 1",
        [users],
      ),
    ).toBe(0)
    const { events, catchUpMs, duplicates } = await allProcessed(users)
    expect(events).toHaveLength(committed)
    report("api SIGKILL mid-burst", {
      "writes answered 201": statuses.length - failed,
      "writes cut off": failed,
      "committed tasks": committed,
      "all processed ms after the restart": catchUpMs,
      "duplicate deliveries (no effect)": duplicates,
    })
  })
})
