/** For tests and benchmarks that drive the relay one batch at a time instead of running it as a layer. */
export { type BatchResult, pruneOutbox, relayBatch } from "./outbox/OutboxRelay.ts"
