import { describe, expect, it } from "vitest"
import { describeRule } from "../src/Describe.ts"

// The one describer: the quick-add preview, the editor and the task list all say a rule with it.
describe("describeRule", () => {
  it.each([
    ["FREQ=DAILY", "every day"],
    ["FREQ=DAILY;INTERVAL=3", "every 3 days"],
    ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"],
    ["FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "every weekday"],
    ["FREQ=WEEKLY;BYDAY=TH,MO", "every Mon and Thu"],
    ["FREQ=WEEKLY;BYDAY=SU,WE,MO", "every Mon, Wed and Sun"],
    ["FREQ=WEEKLY", "every week"],
    ["FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"],
    ["FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "every 2 weeks on Mon and Thu"],
    ["RRULE:FREQ=MONTHLY;BYMONTHDAY=31", "every month on the 31st"],
    ["FREQ=MONTHLY;BYMONTHDAY=1", "every month on the 1st"],
    ["FREQ=MONTHLY;BYMONTHDAY=1,15", "every month on the 1st and the 15th"],
    ["FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"],
    ["FREQ=MONTHLY;BYMONTHDAY=-1,15,-2", "every month on the 15th, the last day and the 2nd to last day"],
    ["FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Fri"],
    ["FREQ=MONTHLY;BYDAY=2TU", "every month on the 2nd Tue"],
    ["FREQ=MONTHLY;INTERVAL=3", "every 3 months"],
    ["FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "every month on the last weekday"],
    ["FREQ=YEARLY", "every year"],
    ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "every year on Feb 29"],
    ["FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "every year on the 4th Thu of Nov"],
    ["FREQ=YEARLY;BYMONTH=3", "every year in Mar"],
    ["FREQ=DAILY;COUNT=5", "every day, 5 times"],
    ["FREQ=WEEKLY;UNTIL=20251231", "every week, until 31 Dec 2025"],
    ["FREQ=DAILY;BYHOUR=9;BYMINUTE=30", "every day at 09:30"],
    ["FREQ=WEEKLY;BYDAY=SA,SU", "every Sat and Sun"],
    ["FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th"],
    ["FREQ=MONTHLY;BYDAY=1MO", "every month on the 1st Mon"],
    ["FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "every year on Mar 1"],
    ["FREQ=WEEKLY;COUNT=3", "every week, 3 times"],
    ["FREQ=DAILY;UNTIL=20261231", "every day, until 31 Dec 2026"],
    ["FREQ=DAILY;COUNT=1", "every day, once"],
    ["nonsense", "nonsense"],
  ])("%s → %s", (rule, expected) => {
    expect(describeRule(rule)).toBe(expected)
  })
})

it("says nothing for no rule", () => {
  expect(describeRule(null)).toBe("")
  expect(describeRule("")).toBe("")
})
