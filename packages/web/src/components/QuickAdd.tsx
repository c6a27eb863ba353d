import { useSignal } from "@preact/signals"
import type { QuickAddParse, Task } from "@todo/contracts"
import { useRef } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, isMissingRoute, problemOf } from "../api.ts"
import { describeRule } from "@todo/calendar/english"
import { timeZone } from "../stores/settings.ts"
import { inCurrentView, reloadTags, upsertTask } from "../stores/tasks.ts"
import { showToast } from "../stores/toasts.ts"
import { formatDue } from "../time.ts"
import { editorTarget } from "../ui.ts"
import { formatEstimate, priorityLabel } from "../text.ts"
import { FieldError, Icon, invalidProps } from "./common.tsx"

/** One line of text becomes a task; a live preview shows what the server understood before anything is saved. */

const QuickPreview = ({ parse, tz }: { parse: QuickAddParse; tz: string }) => (
  <div class="preview-chips">
    <span class="preview-label">Will add</span>
    <strong class="chip chip-title" data-kind="title">
      {parse.title || "(no title)"}
    </strong>
    {parse.dueDate && (
      <span class="chip" data-kind="due">
        <Icon name="clock" /> <time dateTime={parse.dueDate}>{formatDue(parse.dueDate, tz)}</time>
      </span>
    )}
    {parse.recurrence && (
      <span class="chip" data-kind="recurrence">
        <Icon name="repeat" /> {describeRule(parse.recurrence)}
        {parse.repeatFrom === "completion" ? " after completion" : ""}
      </span>
    )}
    {parse.priority && (
      <span class={`chip prio prio-${parse.priority}`} data-kind="priority">
        {priorityLabel(parse.priority)}
      </span>
    )}
    {parse.estimateMinutes !== null && (
      <span class="chip" data-kind="estimate">
        ~{formatEstimate(parse.estimateMinutes)}
      </span>
    )}
    {parse.tags.map((t) => (
      <span class="chip tag" data-kind="tag" key={t}>
        #{t}
      </span>
    ))}
  </div>
)

export const QuickAdd = () => {
  const text = useSignal("")
  const parse = useSignal<QuickAddParse | null>(null)
  const parseAvailable = useSignal(true)
  const error = useSignal<string | undefined>(undefined)
  const busy = useSignal(false)
  const seq = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const requestParse = (value: string) => {
    clearTimeout(timer.current)
    const trimmed = value.trim()
    const mine = ++seq.current
    if (!trimmed || !parseAvailable.value) {
      parse.value = null
      return
    }
    timer.current = setTimeout(async () => {
      const res = await call(() => client.api.tasks.parseQuick({ body: { text: trimmed } }))
      if (mine !== seq.current) return
      if (res.status === 200) parse.value = res.body
      else if (isMissingRoute(res)) parseAvailable.value = false
      else parse.value = null
    }, 200)
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    const value = text.value.trim()
    if (!value || busy.value) return
    busy.value = true
    error.value = undefined
    const quick = await call(() => client.api.tasks.quick({ body: { text: value } }))
    let task: Task | null = quick.status === 201 ? quick.body.task : null
    // The answer whose problem the line below shows, if nothing was created.
    let res: { readonly status: number; readonly body: unknown } = quick
    if (isMissingRoute(quick)) {
      // No quick add on this server yet: save the line as a plain title.
      const created = await call(() => client.api.tasks.create({ body: { title: value } }))
      if (created.status === 201) task = created.body
      else res = created
    }
    busy.value = false
    if (task) {
      ++seq.current
      text.value = ""
      parse.value = null
      upsertTask(task)
      void reloadTags()
      const shown = inCurrentView(task)
      showToast(
        {
          tone: "success",
          message: `Added "${task.title}"${shown ? "" : " (not in this view)"}`,
        },
        4000,
      )
      return
    }
    const byField = fieldErrors(problemOf(res))
    error.value = byField.text ?? byField.title ?? describeProblem(res)
  }

  const openEditor = () => {
    const p = parse.value
    editorTarget.value = {
      mode: "create",
      draft: p ?? { title: text.value.trim() },
    }
  }

  return (
    <form class="quick-add" onSubmit={submit} aria-label="Quick add">
      <div class="quick-row">
        <label for="quick-add" class="sr-only">
          New task (quick add)
        </label>
        <input
          id="quick-add"
          autocomplete="off"
          placeholder='Add a task, e.g. "Buy milk tomorrow 9am #errands !high ~15m"'
          value={text.value}
          onInput={(e) => {
            text.value = e.currentTarget.value
            error.value = undefined
            requestParse(e.currentTarget.value)
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") e.currentTarget.blur()
          }}
          {...invalidProps("quick-add-error", error.value)}
          aria-describedby={error.value ? "quick-add-error" : "quick-add-preview"}
        />
        <button class="primary" type="submit" disabled={busy.value || !text.value.trim()}>
          <Icon name="plus" /> Add
        </button>
        <button type="button" onClick={openEditor} title="Open the full editor">
          More…
        </button>
      </div>
      <div id="quick-add-preview" class="preview" role="status" aria-live="polite">
        {parse.value && text.value.trim() ? (
          <QuickPreview parse={parse.value} tz={timeZone.value} />
        ) : !parseAvailable.value && text.value.trim() ? (
          <span class="muted">
            Dates and #tags are not understood on this server yet: the text becomes the title.
          </span>
        ) : null}
      </div>
      <FieldError id="quick-add-error" message={error.value} />
    </form>
  )
}
