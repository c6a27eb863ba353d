import type { TaskEvent, TaskEventOf, TaskEventType } from "@todo/contracts"
import { Context, Effect, Layer } from "effect"

/** What a handler knows besides the event: the CloudEvent id it arrived under. */
export interface HandlerContext {
  readonly cloudEventId: string
}

/**
 * A handler reacts to one event type. It runs inside the delivery transaction (its writes commit together with
 * the processed-event record, so a redelivery is a no-op) and must stay short: slow work (a model call) is
 * recorded and finished elsewhere. A failure means "retry".
 */
export type EventHandler<T extends TaskEventType> = (
  event: TaskEventOf<T>,
  context: HandlerContext,
) => Effect.Effect<void, unknown>

interface Registration {
  readonly name: string
  readonly handle: EventHandler<TaskEventType>
}

/**
 * Handlers registered per event type. Agents add theirs from their own layers, so a new handler needs no change
 * to the subscription or delivery code.
 */
export class HandlerRegistry extends Context.Service<
  HandlerRegistry,
  {
    readonly register: <T extends TaskEventType>(type: T, name: string, handle: EventHandler<T>) => void
    readonly handlersFor: (event: TaskEvent) => ReadonlyArray<Registration>
    readonly registered: () => ReadonlyArray<{ readonly type: TaskEventType; readonly name: string }>
  }
>()("@todo/messaging/HandlerRegistry") {
  static readonly layer = Layer.sync(HandlerRegistry, () => {
    const byType = new Map<TaskEventType, Array<Registration>>()
    return HandlerRegistry.of({
      register: (type, name, handle) => {
        const list = byType.get(type) ?? []
        // Kept per type, so handlersFor only ever hands this handler events of type T; the guard says so to the
        // compiler (a handler of one type cannot stand for a handler of every type).
        const isOfType = (event: TaskEvent): event is TaskEventOf<typeof type> => event.eventType === type
        list.push({
          name,
          handle: (event, context) => (isOfType(event) ? handle(event, context) : Effect.void),
        })
        byType.set(type, list)
      },
      handlersFor: (event) => byType.get(event.eventType) ?? [],
      registered: () => [...byType].flatMap(([type, list]) => list.map((r) => ({ type, name: r.name }))),
    })
  })
}
