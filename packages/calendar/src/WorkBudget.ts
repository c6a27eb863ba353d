/**
 * A fixed allowance of work for one request's calendar computations, counted in steps (days examined, periods and
 * months skipped, candidates picked), never in wall time: the same input always costs the same, on any machine,
 * loaded or not. Evaluations charge it as they go and stop with `WorkBudgetExceeded` instead of running on.
 */
export class WorkBudgetExceeded extends Error {
  readonly _tag = "WorkBudgetExceeded"
  override readonly name = "WorkBudgetExceeded"
  readonly limit: number
  constructor(limit: number) {
    super(`This needs more than ${limit} calendar steps to compute`)
    this.limit = limit
  }
}

export class WorkBudget {
  /** Steps charged so far. */
  spent = 0
  readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }

  /** Charges `steps`; throws `WorkBudgetExceeded` once the total passes the limit. */
  charge(steps: number): void {
    this.spent += steps
    if (this.spent > this.limit) throw new WorkBudgetExceeded(this.limit)
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.spent)
  }
}

/**
 * The steps one request may spend on recurrence rules: validating one (a probe over up to 400 years) and finding the
 * next occurrence (another such search, and a few more after a DST overlap) fit with room to spare: the evaluator's
 * worst case is about 300 000 steps per search (a daily rule matching nothing for 400 years), about 3 ms of CPU.
 */
export const RULE_WORK_BUDGET = 1_000_000

/** A fresh budget of `RULE_WORK_BUDGET` steps. */
export const ruleBudget = (): WorkBudget => new WorkBudget(RULE_WORK_BUDGET)
