import {
  type CreateTask,
  CreateTask as CreateTaskBody,
  type Priority,
  type RepeatFrom,
  type Task,
} from "@todo/contracts"
import { useEffect, useMemo, useRef, useState } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, problemOf } from "../api.ts"
import {
  describeRule,
  DRAFT_WEEKDAYS,
  draftFromRule,
  type RecurrenceDraft,
  ruleFromDraft,
  WEEKDAY_NAMES,
} from "@todo/calendar/english"
import type { Frequency, WeekdayCode } from "@todo/calendar/recurrence"
import { timeZone } from "../stores/settings.ts"
import { reloadTags, removeTask, upsertTask } from "../stores/tasks.ts"
import { showToast } from "../stores/toasts.ts"
import { fromInputValue, toInputValue } from "../time.ts"
import type { EditorTarget } from "../ui.ts"
import { PRIORITIES } from "../filters.ts"
import { priorityLabel } from "../text.ts"
import { FieldError, Icon, invalidProps, Modal } from "./common.tsx"

interface Form {
  title: string
  description: string
  priority: Priority
  /** Instants (ISO, UTC), or null: shown and typed in the user's zone, kept zone-free so that the settings arriving
   * (or changing) while the editor is open move what the fields show, never the times they stand for. */
  due: string | null
  remind: string | null
  recurrence: RecurrenceDraft
  repeatFrom: RepeatFrom
  tags: string
  /** Minutes as typed; empty for no estimate (the server checks the rest). */
  estimate: string
}

const formOf = (target: EditorTarget): Form => {
  if (target.mode === "edit") {
    const t = target.task
    return {
      title: t.title,
      description: t.description ?? "",
      priority: t.priority,
      due: t.dueDate,
      remind: t.remindAt,
      recurrence: draftFromRule(t.recurrence),
      repeatFrom: t.repeatFrom,
      tags: t.tags.join(" "),
      estimate: t.estimateMinutes === null ? "" : String(t.estimateMinutes),
    }
  }
  const d = target.draft ?? {}
  return {
    title: d.title ?? "",
    description: "",
    priority: d.priority ?? "medium",
    due: d.dueDate ?? null,
    remind: null,
    recurrence: draftFromRule(d.recurrence ?? null),
    repeatFrom: d.repeatFrom ?? "dueDate",
    tags: (d.tags ?? []).join(" "),
    estimate: d.estimateMinutes == null ? "" : String(d.estimateMinutes),
  }
}

const parseTags = (text: string) => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((t) => t.replace(/^#/, "").trim().toLowerCase())
      .filter((t) => t.length > 0),
  ),
]

const UNIT: Record<Frequency, string> = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" }

/** The task editor: every field, with the server's errors next to the field they concern. */
export const Editor = ({ target, onClose }: { target: EditorTarget; onClose: () => void }) => {
  const tz = timeZone.value
  const [base, setBase] = useState<Task | null>(target.mode === "edit" ? target.task : null)
  const [form, setForm] = useState<Form>(() => formOf(target))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const [busy, setBusy] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const editing = base !== null
  const titleRef = useRef<HTMLInputElement>(null)
  useEffect(() => {
    titleRef.current?.focus()
  }, [])

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const setRec = (patch: Partial<RecurrenceDraft>) =>
    setForm((f) => ({ ...f, recurrence: { ...f.recurrence, ...patch } }))
  const rule = ruleFromDraft(form.recurrence)
  const summary = useMemo(() => (rule ? describeRule(rule) : "Does not repeat"), [rule])

  const values = (): CreateTask => ({
    title: form.title.trim(),
    description: form.description.trim() ? form.description : null,
    priority: form.priority,
    dueDate: form.due,
    remindAt: form.remind,
    recurrence: rule,
    repeatFrom: form.repeatFrom,
    tags: parseTags(form.tags),
    // Sent as typed: "2.5" or "0" comes back as the server's field error.
    estimateMinutes: form.estimate.trim() === "" ? null : Number(form.estimate),
  })

  /**
   * Only what changed, so a PATCH does not overwrite fields someone else changed meanwhile. An untouched field
   * keeps the task's own value (its instant, its tags), so it is never sent.
   */
  const changes = (task: Task, v: CreateTask) => {
    const out: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(v) as Array<[keyof CreateTask, unknown]>) {
      if (JSON.stringify(value ?? null) !== JSON.stringify(task[field] ?? null)) out[field] = value
    }
    return out
  }

  const showErrors = (res: { status: number; body: unknown }) => {
    const byField = fieldErrors(problemOf(res))
    setErrors(byField)
    const known = Object.keys(CreateTaskBody.fields)
    const unplaced = Object.entries(byField).filter(
      ([k]) => !known.some((f) => k === f || k.startsWith(`${f}.`)),
    )
    if (Object.keys(byField).length === 0) setFormError(describeProblem(res))
    else if (unplaced.length > 0) setFormError(unplaced.map(([k, m]) => `${k}: ${m}`).join("; "))
  }

  const save = async (e: Event) => {
    e.preventDefault()
    setErrors({})
    setFormError(null)
    const v = values()
    if (!v.title) {
      setErrors({ title: "Give the task a title." })
      return
    }
    setBusy(true)
    if (!base) {
      const res = await call(() => client.api.tasks.create({ body: v }))
      setBusy(false)
      if (res.status === 201) {
        upsertTask(res.body)
        void reloadTags()
        showToast({ tone: "success", message: `Added "${res.body.title}"` }, 3000)
        onClose()
      } else showErrors(res)
      return
    }
    const body = changes(base, v)
    if (Object.keys(body).length === 0) {
      setBusy(false)
      onClose()
      return
    }
    const res = await call(() =>
      client.api.tasks.update({
        params: { id: base.id },
        headers: { "if-match": String(base.version) },
        body,
      }),
    )
    setBusy(false)
    if (res.status === 200) {
      upsertTask(res.body)
      void reloadTags()
      onClose()
    } else if (res.status === 412) {
      setConflict(true)
    } else if (res.status === 404) {
      removeTask(base.id)
      setFormError("This task was deleted elsewhere.")
    } else showErrors(res)
  }

  const reload = async () => {
    if (!base) return
    const res = await call(() => client.api.tasks.get({ params: { id: base.id } }))
    if (res.status === 200) {
      upsertTask(res.body)
      setBase(res.body)
      setForm(formOf({ mode: "edit", task: res.body }))
      setConflict(false)
      setErrors({})
      setFormError(null)
    } else if (res.status === 404) {
      removeTask(base.id)
      setFormError("This task was deleted elsewhere.")
    } else setFormError(describeProblem(res))
  }

  const remove = async () => {
    if (!base) return
    if (!confirmDelete) {
      setConfirmDelete(true)
      return
    }
    setBusy(true)
    const res = await call(() => client.api.tasks.remove({ params: { id: base.id } }))
    setBusy(false)
    if (res.status === 204 || res.status === 404) {
      removeTask(base.id)
      showToast({ tone: "info", message: `Deleted "${base.title}"` }, 3000)
      onClose()
    } else setFormError(describeProblem(res))
  }

  const mode = form.recurrence.mode
  return (
    <Modal label={editing ? "Edit task" : "New task"} onClose={onClose} class="editor">
      <form class="modal-body" onSubmit={save} noValidate>
        <div class="modal-head">
          <h2>{editing ? "Edit task" : "New task"}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        {conflict && (
          <div class="notice conflict" role="alert">
            <span>
              This task was changed elsewhere. Reload to see the latest version (your edits here are lost).
            </span>
            <button type="button" onClick={() => void reload()}>
              Reload
            </button>
          </div>
        )}
        <div class="field">
          <label for="edit-title">Title</label>
          <input
            id="edit-title"
            ref={titleRef}
            value={form.title}
            maxLength={200}
            onInput={(e) => set("title", e.currentTarget.value)}
            {...invalidProps("edit-title-error", errors.title)}
          />
          <FieldError id="edit-title-error" message={errors.title} />
        </div>
        <div class="field">
          <label for="edit-description">Description</label>
          <textarea
            id="edit-description"
            rows={3}
            value={form.description}
            onInput={(e) => set("description", e.currentTarget.value)}
            {...invalidProps("edit-description-error", errors.description)}
          />
          <FieldError id="edit-description-error" message={errors.description} />
        </div>
        <div class="field-row">
          <div class="field narrow">
            <label for="edit-priority">Priority</label>
            <select
              id="edit-priority"
              value={form.priority}
              onChange={(e) => set("priority", e.currentTarget.value as Priority)}
              {...invalidProps("edit-priority-error", errors.priority)}
            >
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {priorityLabel(p)}
                </option>
              ))}
            </select>
            <FieldError id="edit-priority-error" message={errors.priority} />
          </div>
          <div class="field when">
            <label for="edit-due">Due</label>
            <input
              id="edit-due"
              type="datetime-local"
              value={toInputValue(form.due, tz)}
              onInput={(e) => set("due", fromInputValue(e.currentTarget.value, tz))}
              {...invalidProps("edit-due-error", errors.dueDate)}
            />
            <FieldError id="edit-due-error" message={errors.dueDate} />
          </div>
          <div class="field when">
            <label for="edit-remind">Reminder</label>
            <input
              id="edit-remind"
              type="datetime-local"
              value={toInputValue(form.remind, tz)}
              onInput={(e) => set("remind", fromInputValue(e.currentTarget.value, tz))}
              {...invalidProps("edit-remind-error", errors.remindAt)}
            />
            <FieldError id="edit-remind-error" message={errors.remindAt} />
          </div>
        </div>
        <p class="hint">Times are in {tz}.</p>
        <div class="field narrow">
          <label for="edit-estimate">Estimate (minutes)</label>
          <input
            id="edit-estimate"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            step={1}
            placeholder="e.g. 30"
            value={form.estimate}
            onInput={(e) => set("estimate", e.currentTarget.value)}
            {...invalidProps("edit-estimate-error", errors.estimateMinutes)}
          />
          <FieldError id="edit-estimate-error" message={errors.estimateMinutes} />
        </div>
        <fieldset class="recurrence">
          <legend>Repeat</legend>
          <div class="field-row">
            <div class="field">
              <label for="edit-repeat">Repeats</label>
              <select
                id="edit-repeat"
                value={mode}
                onChange={(e) => {
                  const m = e.currentTarget.value as RecurrenceDraft["mode"]
                  setRec({
                    mode: m,
                    ...(m === "custom" && !form.recurrence.custom ? { custom: rule ?? "" } : {}),
                  })
                }}
              >
                <option value="none">Never</option>
                <option value="DAILY">Daily</option>
                <option value="WEEKLY">Weekly</option>
                <option value="MONTHLY">Monthly</option>
                <option value="YEARLY">Yearly</option>
                <option value="custom">Custom rule (RRULE)</option>
              </select>
            </div>
            {mode !== "none" && mode !== "custom" && (
              <div class="field narrow">
                <label for="edit-interval">Every</label>
                <span class="inline">
                  <input
                    id="edit-interval"
                    type="number"
                    min={1}
                    max={999}
                    value={form.recurrence.interval}
                    onInput={(e) => setRec({ interval: Number(e.currentTarget.value) || 1 })}
                  />{" "}
                  {UNIT[mode]}
                  {form.recurrence.interval === 1 ? "" : "s"}
                </span>
              </div>
            )}
            {mode !== "none" && (
              <div class="field">
                <label for="edit-repeat-from">Next one counts from</label>
                <select
                  id="edit-repeat-from"
                  value={form.repeatFrom}
                  onChange={(e) => set("repeatFrom", e.currentTarget.value as RepeatFrom)}
                >
                  <option value="dueDate">the due date</option>
                  <option value="completion">when it is completed</option>
                </select>
              </div>
            )}
          </div>
          {mode === "WEEKLY" && (
            <fieldset class="weekdays">
              <legend class="sr-only">On days</legend>
              {DRAFT_WEEKDAYS.map((d: WeekdayCode) => (
                <label key={d} class="day-toggle">
                  <input
                    type="checkbox"
                    checked={form.recurrence.days.includes(d)}
                    onChange={(e) =>
                      setRec({
                        days: e.currentTarget.checked
                          ? [...form.recurrence.days, d]
                          : form.recurrence.days.filter((x) => x !== d),
                      })
                    }
                  />
                  <span>{WEEKDAY_NAMES[d]}</span>
                </label>
              ))}
            </fieldset>
          )}
          {mode === "custom" && (
            <div class="field">
              <label for="edit-rrule">Rule</label>
              <input
                id="edit-rrule"
                value={form.recurrence.custom}
                placeholder="FREQ=MONTHLY;BYMONTHDAY=-1"
                onInput={(e) => setRec({ custom: e.currentTarget.value })}
                {...invalidProps("edit-recurrence-error", errors.recurrence)}
              />
            </div>
          )}
          <p class="summary" aria-live="polite">
            <Icon name="repeat" /> <span id="edit-recurrence-summary">{summary}</span>
            {rule && form.repeatFrom === "completion" ? ", counted from completion" : ""}
          </p>
          <FieldError id="edit-recurrence-error" message={errors.recurrence ?? errors.repeatFrom} />
        </fieldset>
        <div class="field">
          <label for="edit-tags">Tags</label>
          <input
            id="edit-tags"
            value={form.tags}
            placeholder="errands home"
            onInput={(e) => set("tags", e.currentTarget.value)}
            {...invalidProps(
              "edit-tags-error",
              errors.tags ?? Object.entries(errors).find(([k]) => k.startsWith("tags."))?.[1],
            )}
          />
          <p class="hint">Separate tags with spaces or commas.</p>
          <FieldError
            id="edit-tags-error"
            message={errors.tags ?? Object.entries(errors).find(([k]) => k.startsWith("tags."))?.[1]}
          />
        </div>
        {formError && (
          <p class="form-error" role="alert">
            {formError}
          </p>
        )}
        <div class="modal-actions">
          {editing && (
            <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
              {confirmDelete ? "Really delete?" : "Delete"}
            </button>
          )}
          <span class="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || conflict}>
            {busy ? "Saving…" : editing ? "Save" : "Add task"}
          </button>
        </div>
      </form>
    </Modal>
  )
}
