import { describe, expect, it } from "vitest"
import { draftFromRule, ruleFromDraft } from "../src/RuleDraft.ts"

describe("the repeat builder's draft", () => {
  it("round-trips what the builder can show, and keeps other rules as custom text", () => {
    const weekly = draftFromRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    expect(weekly).toMatchObject({ mode: "WEEKLY", interval: 2, days: ["MO", "TH"] })
    expect(ruleFromDraft(weekly)).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    expect(ruleFromDraft({ mode: "WEEKLY", interval: 1, days: ["TH", "MO"], custom: "" })).toBe(
      "FREQ=WEEKLY;BYDAY=MO,TH",
    )
    expect(draftFromRule("FREQ=MONTHLY;BYMONTHDAY=-1")).toMatchObject({ mode: "custom" })
    expect(draftFromRule("FREQ=WEEKLY;COUNT=3")).toMatchObject({ mode: "custom" })
    expect(draftFromRule("not a rule")).toMatchObject({ mode: "custom", custom: "not a rule" })
    expect(draftFromRule(null)).toMatchObject({ mode: "none" })
    expect(ruleFromDraft({ mode: "none", interval: 1, days: [], custom: "" })).toBeNull()
  })

  it("keeps the interval within what a rule allows", () => {
    expect(ruleFromDraft({ mode: "DAILY", interval: 0, days: [], custom: "" })).toBe("FREQ=DAILY")
    expect(ruleFromDraft({ mode: "DAILY", interval: 5000, days: [], custom: "" })).toBe(
      "FREQ=DAILY;INTERVAL=999",
    )
  })
})
