import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  decodeTaskEventSync,
  encodeTaskEvent,
  TaskCompleted,
  TaskCreated,
  TaskDeleted,
  type TaskEvent,
  TaskIncomplete,
  TaskOverdue,
  TaskReminder,
  TaskUpdated,
} from "../src/index.ts"

const base = {
  eventId: "6f1c2f8e-3b1a-4c1e-9a1e-1f2e3d4c5b6a",
  taskId: "0b6a4f52-8a0f-4c1d-9b36-0d8b7f0c1e2a",
  userId: "3c1e7a9d-2f4b-4d6e-8a1c-5b9d7e3f1a2c",
  correlationId: "req-42",
  timestamp: "2026-11-24T09:00:00.000Z",
  schemaVersion: 1,
  actor: "user",
} as const

const samples = [
  {
    ...base,
    eventType: "tasks.created",
    title: "Pay rent",
    priority: "high",
    dueDate: null,
    recurring: false,
  },
  {
    ...base,
    eventType: "tasks.updated",
    changes: { title: { from: "a", to: "b" }, tags: { from: [], to: ["x"] } },
  },
  { ...base, eventType: "tasks.deleted" },
  { ...base, eventType: "tasks.completed", completedAt: "2026-11-24T10:00:00.000Z", nextTaskId: null },
  { ...base, eventType: "tasks.incomplete" },
  { ...base, eventType: "tasks.overdue", dueDate: "2026-11-23T09:00:00.000Z" },
  { ...base, eventType: "tasks.reminder", remindAt: "2026-11-24T08:45:00.000Z" },
] as const

describe("task event codecs", () => {
  it("has one sample per event type", () => {
    assert.deepStrictEqual(
      samples.map((s) => s.eventType),
      [
        "tasks.created",
        "tasks.updated",
        "tasks.deleted",
        "tasks.completed",
        "tasks.incomplete",
        "tasks.overdue",
        "tasks.reminder",
      ],
    )
  })

  for (const sample of samples) {
    it(`round-trips ${sample.eventType} through JSON`, () => {
      const decoded = decodeTaskEventSync(JSON.parse(JSON.stringify(sample)))
      assert.deepStrictEqual(decoded, sample as unknown as TaskEvent)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(encodeTaskEvent(decoded))), sample)
    })
  }

  it("normalises instants with an offset to UTC", () => {
    const decoded = decodeTaskEventSync({ ...samples[2], timestamp: "2026-11-24T10:00:00+01:00" })
    assert.strictEqual(decoded.timestamp, "2026-11-24T09:00:00.000Z")
  })

  it("rejects a malformed event naming the field", () => {
    const error = (input: unknown) => {
      try {
        decodeTaskEventSync(input)
        return "decoded"
      } catch (e) {
        return String(e)
      }
    }
    assert.include(error({ ...samples[0], eventId: "nope" }), "eventId")
    assert.include(error({ ...samples[0], priority: "extreme" }), "priority")
    assert.include(error({ ...samples[5], dueDate: "yesterday" }), "dueDate")
    assert.include(error({ ...samples[2], schemaVersion: 2 }), "schemaVersion")
    assert.include(error({ ...samples[2], extra: true }), "extra")
    assert.notStrictEqual(error({ eventType: "tasks.exploded" }), "decoded")
    assert.notStrictEqual(error("not an object"), "decoded")
  })

  // Property: every value the schemas can produce survives encode → JSON → decode unchanged.
  const members = [
    TaskCreated,
    TaskUpdated,
    TaskDeleted,
    TaskCompleted,
    TaskIncomplete,
    TaskOverdue,
    TaskReminder,
  ]
  for (const member of members) {
    const name = member.fields.eventType.schema.literal
    it.prop(`${name} round-trips for generated events`, { event: member }, ({ event }) => {
      const wire = JSON.parse(JSON.stringify(Schema.encodeSync(member)(event as never)))
      const back = decodeTaskEventSync(wire)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(encodeTaskEvent(back))), wire)
    })
  }
})
