/**
 * The chat's deletion rule, enforced in code (the prompt only explains it):
 *
 * - Within one user message, the assistant may delete at most ONE task that the user has not confirmed.
 * - The delete_task calls of one model response are decided together: if they would take the message past that
 *   limit, every unconfirmed one of them is refused (so "delete these three" deletes nothing, rather than the
 *   first of three). A later response's deletion after one already ran is refused the same way. Only deletions
 *   that happened count (a call with an unknown id uses nothing up).
 * - Once a deletion was refused, every further unconfirmed deletion in the message is refused too, so the model
 *   cannot get around the rule by retrying one task at a time.
 * - A refused deletion of an existing task joins the message's *deletion proposal*, stored with the assistant's
 *   reply, and the model is told to list the tasks and ask the user.
 * - The next user message confirms the proposal only if it is an explicit, unqualified confirmation ("yes",
 *   "ok, delete them", "confirm": see {@link isConfirmation}) and the proposal is on the assistant message right
 *   before it. Then the proposed
 *   tasks (and only they) may be deleted without counting towards the limit. Anything else ("yes but keep the
 *   first", a new request, a later message) lets the proposal lapse.
 *
 * Text inside tasks never confirms anything: only the user's own message is read here.
 */

/** Deletions per user message that need no confirmation. */
export const UNCONFIRMED_DELETIONS_PER_MESSAGE = 1

/** A confirmation is made of these words only (any order), with at least one of CONFIRMING among them. */
const VOCABULARY = new Set([
  "yes",
  "yep",
  "yeah",
  "yup",
  "y",
  "ok",
  "okay",
  "sure",
  "confirm",
  "confirmed",
  "i",
  "go",
  "ahead",
  "do",
  "it",
  "proceed",
  "please",
  "delete",
  "remove",
  "them",
  "both",
  "all",
  "of",
  "those",
  "these",
  "correct",
  "absolutely",
  "thanks",
  "thank",
  "you",
  "fine",
  "that's",
  "thats",
  "is",
  "that",
])
const CONFIRMING = new Set([
  "yes",
  "yep",
  "yeah",
  "yup",
  "y",
  "ok",
  "okay",
  "sure",
  "confirm",
  "confirmed",
  "proceed",
  "ahead",
  "do",
  "correct",
  "absolutely",
  "delete",
  "remove",
])

/**
 * Whether a user message is an explicit, unqualified confirmation: "yes", "ok, delete them", "confirm", "go
 * ahead". Any other word ("but", "except", "not", a task name) or a question makes it something else.
 */
export const isConfirmation = (message: string): boolean => {
  const text = message
    .toLowerCase()
    .replace(/\u2019/g, "'")
    .trim()
  if (text.length === 0 || text.length > 80 || text.includes("?")) return false
  const words = text.split(/[\s.,;:!]+/).filter((w) => w !== "")
  return words.length > 0 && words.every((w) => VOCABULARY.has(w)) && words.some((w) => CONFIRMING.has(w))
}

/** Per user message: what the user confirmed, how many unconfirmed deletions ran, whether one was refused. */
export interface DeletionState {
  readonly confirmed: ReadonlySet<string>
  readonly unconfirmedDeleted: number
  /** Once a deletion was refused, no unconfirmed deletion runs for the rest of the message (no one-by-one). */
  readonly refusedAny: boolean
}

/** The state at the start of a user message, given the proposal on the assistant message before it. */
export const initialDeletionState = (
  message: string,
  previousProposal: ReadonlyArray<string>,
): DeletionState => ({
  confirmed: previousProposal.length > 0 && isConfirmation(message) ? new Set(previousProposal) : new Set(),
  unconfirmedDeleted: 0,
  refusedAny: false,
})

export interface DeletionDecision {
  readonly allowed: ReadonlySet<string>
  readonly refused: ReadonlySet<string>
}

/** Decides the delete_task calls of one model response (task ids in call order). */
export const decideDeletions = (state: DeletionState, taskIds: ReadonlyArray<string>): DeletionDecision => {
  const unique = [...new Set(taskIds)]
  const confirmed = unique.filter((id) => state.confirmed.has(id))
  const unconfirmed = unique.filter((id) => !state.confirmed.has(id))
  const fits =
    !state.refusedAny && state.unconfirmedDeleted + unconfirmed.length <= UNCONFIRMED_DELETIONS_PER_MESSAGE
  return fits
    ? { allowed: new Set(unique), refused: new Set() }
    : { allowed: new Set(confirmed), refused: new Set(unconfirmed) }
}

/** The state after a response's deletions ran: only deletions that happened count; a refusal locks the rest. */
export const recordDeletions = (
  state: DeletionState,
  decision: DeletionDecision,
  deleted: ReadonlyArray<string>,
): DeletionState => ({
  confirmed: state.confirmed,
  unconfirmedDeleted: state.unconfirmedDeleted + deleted.filter((id) => !state.confirmed.has(id)).length,
  refusedAny: state.refusedAny || decision.refused.size > 0,
})
