import { describe, expect, it } from "vitest"
import {
  decideDeletions,
  initialDeletionState,
  isConfirmation,
  recordDeletions,
} from "../../src/chat/DeletionPolicy.ts"

const A = "00000000-0000-4000-8000-00000000000a"
const B = "00000000-0000-4000-8000-00000000000b"
const C = "00000000-0000-4000-8000-00000000000c"

describe("isConfirmation", () => {
  it.each([
    "yes",
    "Yes.",
    "YES!",
    "yes, delete them",
    "Yes please",
    "ok",
    "Okay, go ahead",
    "sure",
    "confirm",
    "I confirm",
    "go ahead",
    "do it",
    "delete them",
    "yep",
  ])("%j confirms", (message) => {
    expect(isConfirmation(message)).toBe(true)
  })

  it.each([
    "",
    "no",
    "yes but keep the first one",
    "yes, except the dentist",
    "don't",
    "ok wait",
    "yesterday I bought milk",
    "yes?",
    "only the first",
    "what's on my list today",
    "delete all my tasks",
    `yes ${"really ".repeat(20)}`,
  ])("%j does not confirm", (message) => {
    expect(isConfirmation(message)).toBe(false)
  })
})

describe("deletion rule", () => {
  it("allows one unconfirmed deletion per message, then refuses and locks", () => {
    let state = initialDeletionState("delete the milk task", [])
    const first = decideDeletions(state, [A])
    expect([...first.allowed]).toEqual([A])
    expect([...first.refused]).toEqual([])
    state = recordDeletions(state, first, [A])

    const second = decideDeletions(state, [B])
    expect([...second.allowed]).toEqual([])
    expect([...second.refused]).toEqual([B])
    state = recordDeletions(state, second, [])
    expect(decideDeletions(state, [C]).refused.has(C)).toBe(true)
  })

  it("refuses every deletion of a response that asks for more than one at once", () => {
    const state = initialDeletionState("delete everything", [])
    const decision = decideDeletions(state, [A, B, C])
    expect([...decision.allowed]).toEqual([])
    expect([...decision.refused]).toEqual([A, B, C])
    // A one-by-one retry after the refusal is refused too.
    const after = recordDeletions(state, decision, [])
    expect([...decideDeletions(after, [A]).refused]).toEqual([A])
  })

  it("does not count a deletion that did not happen (e.g. an unknown id)", () => {
    let state = initialDeletionState("delete the milk task", [])
    const miss = decideDeletions(state, [A])
    state = recordDeletions(state, miss, [])
    expect([...decideDeletions(state, [B]).allowed]).toEqual([B])
  })

  it("after an explicit confirmation, deletes exactly the proposed tasks", () => {
    let state = initialDeletionState("Yes, delete them", [A, B])
    const decision = decideDeletions(state, [A, B])
    expect([...decision.allowed]).toEqual([A, B])
    expect([...decision.refused]).toEqual([])
    state = recordDeletions(state, decision, [A, B])
    // Confirmed deletions do not use up the one unconfirmed deletion.
    expect(state.unconfirmedDeleted).toBe(0)
    const mixed = decideDeletions(state, [C, A])
    expect([...mixed.allowed].sort()).toEqual([A, C])
  })

  it("confirms nothing without a proposal, or when the reply is not a confirmation", () => {
    expect(initialDeletionState("yes", []).confirmed.size).toBe(0)
    const state = initialDeletionState("yes but not B", [A, B])
    expect(state.confirmed.size).toBe(0)
    expect([...decideDeletions(state, [A, B]).refused]).toEqual([A, B])
  })
})
