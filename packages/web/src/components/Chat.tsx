import type { ChatAction } from "@todo/contracts"
import { signal } from "@preact/signals"
import { useEffect, useRef } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, isMissingRoute, problemOf } from "../api.ts"
import { refreshTask } from "../stores/tasks.ts"
import { FieldError, Icon, invalidProps } from "./common.tsx"

interface Message {
  readonly id: number
  readonly role: "user" | "assistant" | "error"
  readonly content: string
  readonly actions?: ReadonlyArray<ChatAction>
}

// Kept at module level so closing and reopening the panel keeps the conversation.
const messages = signal<ReadonlyArray<Message>>([])
const conversationId = signal<string | null>(null)
const draft = signal("")
const busy = signal(false)
const notice = signal<string | null>(null)
const inputError = signal<string | undefined>(undefined)
let nextId = 0

const NOT_CONFIGURED =
  "The assistant is not set up on this server (no AI provider is configured). Everything else works without it; " +
  "ask whoever runs this server to enable it."

/** Forgets the conversation (sign-out). */
export const resetChat = () => {
  messages.value = []
  conversationId.value = null
  draft.value = ""
  notice.value = null
  inputError.value = undefined
}

const describeAction = (a: ChatAction) => `${a.tool.replaceAll("_", " ")}: ${a.result}`

const send = async () => {
  const text = draft.value.trim()
  if (!text || busy.value) return
  inputError.value = undefined
  messages.value = [...messages.value, { id: ++nextId, role: "user", content: text }]
  draft.value = ""
  busy.value = true
  const cid = conversationId.value
  const res = await call(() =>
    client.api.chat.send({ body: { message: text, ...(cid ? { conversationId: cid } : {}) } }),
  )
  busy.value = false
  if (res.status === 200) {
    conversationId.value = res.body.conversationId
    notice.value = null
    messages.value = [
      ...messages.value,
      { id: ++nextId, role: "assistant", content: res.body.reply, actions: res.body.actions },
    ]
    // The assistant may have changed tasks: show the changes now (the event stream would, a moment later).
    for (const id of new Set(res.body.actions.flatMap((a) => a.taskIds))) void refreshTask(id)
    return
  }
  // Put the message back so nothing typed is lost.
  messages.value = messages.value.slice(0, -1)
  draft.value = text
  if (res.status === 503) notice.value = NOT_CONFIGURED
  else if (isMissingRoute(res)) notice.value = "The assistant is not available on this server yet."
  else if (res.status === 404 && cid) {
    conversationId.value = null
    notice.value = "That conversation no longer exists. Send again to start a new one."
  } else if (res.status === 400) {
    const byField = fieldErrors(problemOf(res))
    inputError.value = byField.message ?? describeProblem(res)
  } else notice.value = describeProblem(res)
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
            notice.value = null
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
            <li key={m.id} class={`message message-${m.role}`}>
              <span class="sr-only">{m.role === "user" ? "You:" : "Assistant:"}</span>
              <p>{m.content}</p>
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
      {notice.value && (
        <p class="notice chat-notice" role="status">
          {notice.value}
        </p>
      )}
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
