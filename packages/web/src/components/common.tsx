import { type Component, type ComponentChildren, type FunctionComponent, h, type JSX } from "preact"
import { useEffect, useRef } from "preact/hooks"

/** The message under a field, tied to it by id (`aria-describedby`). */
export const FieldError = ({ id, message }: { id: string; message: string | undefined }) =>
  message ? (
    <p class="field-error" id={id} role="alert">
      {message}
    </p>
  ) : null

/** Props that mark a field invalid and point it at its message. */
export const invalidProps = (id: string, message: string | undefined) =>
  message ? { "aria-invalid": true as const, "aria-describedby": id } : {}

const paths: Record<string, JSX.Element> = {
  check: <path d="M4 10.5l4 4 8-9" />,
  repeat: (
    <>
      <path d="M4 8a6 6 0 0 1 10.5-3.5L16 6" />
      <path d="M16 2.5V6h-3.5" />
      <path d="M16 12a6 6 0 0 1-10.5 3.5L4 14" />
      <path d="M4 17.5V14h3.5" />
    </>
  ),
  clock: (
    <>
      <circle cx="10" cy="10" r="7" />
      <path d="M10 6v4l3 2" />
    </>
  ),
  bell: (
    <>
      <path d="M5 14V9a5 5 0 0 1 10 0v5l1.5 2h-13z" />
      <path d="M8.5 18h3" />
    </>
  ),
  sun: (
    <>
      <circle cx="10" cy="10" r="3.5" />
      <path d="M10 1.5v2M10 16.5v2M1.5 10h2M16.5 10h2M4 4l1.4 1.4M14.6 14.6L16 16M4 16l1.4-1.4M14.6 5.4L16 4" />
    </>
  ),
  moon: <path d="M16 12.5A7 7 0 0 1 7.5 4a7 7 0 1 0 8.5 8.5z" />,
  chat: <path d="M3 4h14v9H8l-4 3.5V13H3z" />,
  close: <path d="M5 5l10 10M15 5L5 15" />,
  plus: <path d="M10 4v12M4 10h12" />,
  search: (
    <>
      <circle cx="8.5" cy="8.5" r="5" />
      <path d="M12.5 12.5L17 17" />
    </>
  ),
  arrowUp: <path d="M10 16V4M5 9l5-5 5 5" />,
  arrowDown: <path d="M10 4v12M5 11l5 5 5-5" />,
  keyboard: (
    <>
      <rect x="2" y="5" width="16" height="10" rx="1.5" />
      <path d="M5 8h1M8 8h1M11 8h1M14 8h1M6 12h8" />
    </>
  ),
  logout: (
    <>
      <path d="M8 4H4v12h4" />
      <path d="M12 6l4 4-4 4M16 10H8" />
    </>
  ),
}

export type IconName = keyof typeof paths

const svgProps = {
  class: "icon",
  viewBox: "0 0 20 20",
  width: "18",
  height: "18",
  fill: "none",
  stroke: "currentColor",
  "stroke-width": "1.8",
  "stroke-linecap": "round",
  "stroke-linejoin": "round",
} as const

/** A small stroke icon; decorative unless given a label. */
export const Icon = ({ name, label }: { name: IconName; label?: string }) =>
  label ? (
    <svg {...svgProps} role="img" aria-label={label}>
      <title>{label}</title>
      {paths[name]}
    </svg>
  ) : (
    <svg {...svgProps} aria-hidden="true">
      {paths[name]}
    </svg>
  )

/**
 * A modal `<dialog>`: focus moves into it and returns where it was on close; Escape and the backdrop close it.
 */
export const Modal = ({
  label,
  onClose,
  children,
  class: className,
}: {
  label: string
  onClose: () => void
  children: ComponentChildren
  class?: string
}) => {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const previous = document.activeElement as HTMLElement | null
    if (!dialog.open) dialog.showModal()
    const onCancel = (e: Event) => {
      e.preventDefault()
      onClose()
    }
    dialog.addEventListener("cancel", onCancel)
    return () => {
      dialog.removeEventListener("cancel", onCancel)
      if (dialog.open) dialog.close()
      previous?.focus?.()
    }
  }, [])
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; Escape does it from the keyboard (the cancel event)
    <dialog
      ref={ref}
      class={`modal ${className ?? ""}`}
      aria-label={label}
      onClick={(e) => {
        if (e.target === ref.current) onClose()
      }}
    >
      {children}
    </dialog>
  )
}

/** Renders `c` again only when a prop changed (shallowly): keeps a long list cheap when one row changes. */
export const memo = <P extends object>(c: FunctionComponent<P>): FunctionComponent<P> => {
  function Memoed(this: Component<P>, props: P) {
    this.shouldComponentUpdate = (next: P) => {
      const a = this.props as Record<string, unknown>
      const b = next as Record<string, unknown>
      for (const k in b) if (a[k] !== b[k]) return true
      for (const k in a) if (!(k in b)) return true
      return false
    }
    return h(c as FunctionComponent<object>, props)
  }
  return Memoed as FunctionComponent<P>
}
