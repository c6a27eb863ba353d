import { Effect, Fiber, Layer } from "effect"

/**
 * Runs a long-lived layer (a server, a relay) in the background of a test; `stop` interrupts it and waits for its
 * finalizers, so the test leaves nothing running.
 */
export const runLayer = <E>(layer: Layer.Layer<never, E, never>) => {
  const fiber = Effect.runFork(Layer.launch(layer))
  return {
    fiber,
    stop: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined),
  }
}
