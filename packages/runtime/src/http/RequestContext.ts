import { randomUUID } from "node:crypto"
import { Context } from "effect"

/**
 * The correlation id of the work in progress: taken from `x-correlation-id` or minted per request, returned on the
 * response, written into every event the request causes and carried by the agents into their suggestions.
 * Background work (sweeps, relays) sets its own.
 */
export const CorrelationId = Context.Reference<string>("@todo/runtime/CorrelationId", {
  defaultValue: () => "none",
})

const validCorrelationId = /^[A-Za-z0-9._:-]{1,200}$/

/** A client's correlation id is kept when it is a plain token; anything else is replaced, never echoed. */
export const correlationIdFrom = (header: string | undefined): string =>
  header !== undefined && validCorrelationId.test(header) ? header : randomUUID()

/**
 * Fields the request's own log line (`POST /api/tasks 201 4.2 ms`) carries besides route, status and duration,
 * filled in as the request learns them: `userId` once authenticated. One fresh record per request.
 */
export const RequestLogFields = Context.Reference<Record<string, unknown>>("@todo/runtime/RequestLogFields", {
  defaultValue: () => ({}),
})
