import type { ChatAction } from "@todo/contracts"
import { signal } from "@preact/signals"
import { useEffect, useRef } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, isMissingRoute, problemOf } from "../api.ts"
import { refreshTask } from "../stores/tasks.ts"
import { FieldError, Icon, invalidProps } from "./common.tsx"

interface Message {
  readonly id: number
  /** `notice`: the app speaking (the assistant is off, a conversation is gone), not the model. */
  readonly role: "user" | "assistant" | "notice"
  readonly content: string
  readonly actions?: ReadonlyArray<ChatAction>
  /** A user's message the server did not take: shown as written, with a way to send it again. */
  readonly unsent?: boolean
  /** The unsent message a notice explains. */
  readonly about?: number
}

// Kept at module level so closing and reopening the panel keeps the conversation.
const messages = signal<ReadonlyArray<Message>>([])
const conversationId = signal<string | null>(null)
const draft = signal("")
const busy = signal(false)
const inputError = signal<string | undefined>(undefined)
let nextId = 0

/** Said to the user, and to whoever runs the server: what is missing and where it is set. */
const NOT_CONFIGURED =
  "The assistant is not set up on this server, so this message was not sent. Everything else works without it. " +
  "To turn it on, whoever runs the server sets OPENAI_API_KEY (with OPENAI_BASE_URL and OPENAI_MODEL for another " +
  "OpenAI-compatible server) and restarts it; the README's section on the chat assistant shows how."

/** The API's 503 for a server without a model (another 503, say one still starting, is not this). */
const isNotConfigured = (res: { status: number; body: unknown }) => {
  if (res.status !== 503) return false
  const detail = problemOf(res).detail ?? ""
  return /OPENAI_API_KEY|not configured/i.test(detail)
}

/** Forgets the conversation (sign-out). */
export const resetChat = () => {
  messages.value = []
  conversationId.value = null
  draft.value = ""
  inputError.value = undefined
}

const describeAction = (a: ChatAction) => `${a.tool.replaceAll("_", " ")}: ${a.result}`

/** Sends the draft, or a message that was not sent before (it moves to the end of the conversation). */
const send = async (again?: Message) => {
  const text = again ? again.content : draft.value.trim()
  if (!text || busy.value) return
  inputError.value = undefined
  const mine: Message = { id: ++nextId, role: "user", content: text }
  // A message sent again replaces its unsent copy and the notice that explained it.
  const kept = again
    ? messages.value.filter((m) => m.id !== again.id && m.about !== again.id)
    : messages.value
  messages.value = [...kept, mine]
  if (!again) draft.value = ""
  busy.value = true
  const cid = conversationId.value
  const res = await call(() =>
    client.api.chat.send({ body: { message: text, ...(cid ? { conversationId: cid } : {}) } }),
  )
  busy.value = false
  if (res.status === 200) {
    conversationId.value = res.body.conversationId
    messages.value = [
      ...messages.value,
      { id: ++nextId, role: "assistant", content: res.body.reply, actions: res.body.actions },
    ]
    // The assistant may have changed tasks: show the changes now (the event stream would, a moment later).
    for (const id of new Set(res.body.actions.flatMap((a) => a.taskIds))) void refreshTask(id)
    return
  }
  if (res.status === 400) {
    // The message itself is wrong (too long, say): back into the box to be fixed.
    messages.value = messages.value.filter((m) => m.id !== mine.id)
    draft.value = text
    const byField = fieldErrors(problemOf(res))
    inputError.value = byField.message ?? describeProblem(res)
    return
  }
  let explanation: string
  if (isNotConfigured(res)) explanation = NOT_CONFIGURED
  else if (isMissingRoute(res)) explanation = "The assistant is not available on this server yet."
  else if (res.status === 404 && cid) {
    conversationId.value = null
    explanation = "That conversation no longer exists. Send again to start a new one."
  } else explanation = `Not sent: ${describeProblem(res)}`
  // What was typed stays in the conversation, marked as not sent, with the reason right under it.
  messages.value = [
    ...messages.value.map((m) => (m.id === mine.id ? { ...m, unsent: true } : m)),
    { id: ++nextId, role: "notice", content: explanation, about: mine.id },
  ]
}

/** The assistant: a conversation that can act on tasks through tools. */
export const ChatPanel = ({ onClose }: { onClose: () => void }) => {
  const log = useRef<HTMLOListElement>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  useEffect(() => {
    input.current?.focus()
  }, [])
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: "end" })
  }, [messages.value.length])

  return (
    <aside class="chat" aria-label="Assistant">
      <div class="chat-head">
        <h2>Assistant</h2>
        <button
          type="button"
          class="link"
          disabled={messages.value.length === 0}
          onClick={() => {
            messages.value = []
            conversationId.value = null
          }}
        >
          New conversation
        </button>
        <button type="button" class="icon-button" aria-label="Close assistant" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <div class="messages" role="log" aria-live="polite" aria-label="Conversation">
        <ol class="message-list" ref={log}>
          {messages.value.length === 0 && (
            <li class="muted hint-message">
              Ask things like "what is due this week?" or "move the dentist to Friday at 10".
            </li>
          )}
          {messages.value.map((m) => (
            <li key={m.id} class={`message message-${m.role}${m.unsent ? " unsent" : ""}`}>
              <span class="sr-only">
                {m.role === "user" ? "You:" : m.role === "notice" ? "Note:" : "Assistant:"}
              </span>
              <p>{m.content}</p>
              {m.unsent && (
                <p class="unsent-note">
                  Not sent.{" "}
                  <button type="button" class="link" disabled={busy.value} onClick={() => void send(m)}>
                    Send again
                  </button>
                </p>
              )}
              {m.actions && m.actions.length > 0 && (
                <ul class="actions" aria-label="What the assistant did">
                  {m.actions.map((a, i) => (
                    <li key={i} class={a.ok ? "ok" : "failed"}>
                      {a.ok ? "✓ " : "✗ "}
                      {describeAction(a)}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
          {busy.value && (
            <li class="message message-assistant pending" aria-label="The assistant is thinking">
              <p>…</p>
            </li>
          )}
        </ol>
      </div>
      <form
        class="chat-form"
        onSubmit={(e) => {
          e.preventDefault()
          void send()
        }}
      >
        <label for="chat-input" class="sr-only">
          Message the assistant
        </label>
        <textarea
          id="chat-input"
          ref={input}
          rows={2}
          value={draft.value}
          placeholder="Message the assistant"
          onInput={(e) => {
            draft.value = e.currentTarget.value
            inputError.value = undefined
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault()
              void send()
            }
            if (e.key === "Escape") onClose()
          }}
          {...invalidProps("chat-input-error", inputError.value)}
        />
        <button type="submit" class="primary" disabled={busy.value || !draft.value.trim()}>
          Send
        </button>
        <FieldError id="chat-input-error" message={inputError.value} />
      </form>
    </aside>
  )
}
