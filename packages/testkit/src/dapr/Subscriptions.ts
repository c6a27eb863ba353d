import { decodeFirst, type GoObject, type GoValue, isGoObject } from "./GoJson.ts"
import { compileRouteMatch, type RouteMatcher } from "./RouteMatch.ts"

/**
 * Programmatic subscriptions: the app's answer to `GET /dapr/subscribe` (DAPR.md §2 "Programmatic", §8c;
 * R: pkg/runtime/pubsub/subscriptions.go `GetSubscriptionsHTTP`).
 */
export interface SubscriptionRule {
  /** The CEL expression as given; "" for the default route (always matches). */
  readonly match: string
  readonly path: string
  readonly matcher: RouteMatcher | undefined
}

export interface Subscription {
  readonly pubsubname: string
  readonly topic: string
  /** undefined when the item has no (or an empty) `deadLetterTopic`. */
  readonly deadLetterTopic: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  /** Rules in order, the default route (`routes.default`, else `route`) last. */
  readonly rules: readonly SubscriptionRule[]
}

export class SubscribeResponseError extends Error {
  override readonly name = "SubscribeResponseError"
}

/** Go decodes into structs with case-insensitive field names (an exact match preferred; the last key wins). */
const field = (obj: GoObject, name: string): GoValue | undefined => {
  if (obj.has(name)) return obj.get(name)
  let found: GoValue | undefined
  for (const [k, v] of obj) if (k.toLowerCase() === name.toLowerCase()) found = v
  return found
}

const stringField = (obj: GoObject, name: string, where: string): string => {
  const v = field(obj, name)
  if (v === undefined || v === null) return ""
  if (typeof v !== "string") throw new SubscribeResponseError(`${where}.${name} must be a string`)
  return v
}

const objectField = (obj: GoObject, name: string, where: string): GoObject | undefined => {
  const v = field(obj, name)
  if (v === undefined || v === null) return undefined
  if (!isGoObject(v)) throw new SubscribeResponseError(`${where}.${name} must be an object`)
  return v
}

const parseItem = (item: GoValue, index: number): Subscription => {
  const where = `item[${index}]`
  if (!isGoObject(item)) throw new SubscribeResponseError(`${where} must be an object`)
  const routes = objectField(item, "routes", where)
  const rules: SubscriptionRule[] = []
  const rawRules = routes === undefined ? undefined : field(routes, "rules")
  if (rawRules !== undefined && rawRules !== null) {
    if (!Array.isArray(rawRules)) throw new SubscribeResponseError(`${where}.routes.rules must be an array`)
    rawRules.forEach((r, i) => {
      if (r === null) return
      if (!isGoObject(r)) throw new SubscribeResponseError(`${where}.routes.rules[${i}] must be an object`)
      // CreateRoutingRule: the expression is trimmed; an empty one always matches.
      const match = stringField(r, "match", where).trim()
      const path = stringField(r, "path", where)
      rules.push({ match, path, matcher: match === "" ? undefined : compileRouteMatch(match) })
    })
  }
  // DAPR.md §2: `default` wins over `route` if both are set; either becomes a last, always-matching rule.
  const fallback =
    (routes === undefined ? "" : stringField(routes, "default", where)) || stringField(item, "route", where)
  if (fallback !== "") rules.push({ match: "", path: fallback, matcher: undefined })
  const bulk = objectField(item, "bulkSubscribe", where)
  if (bulk !== undefined && field(bulk, "enabled") === true) {
    throw new SubscribeResponseError(
      `${where}: bulkSubscribe is not modelled by the simulator (DAPR.md §2: not recommended)`,
    )
  }
  const metadata: Record<string, string> = {}
  const rawMetadata = objectField(item, "metadata", where)
  for (const [k, v] of rawMetadata ?? []) {
    if (typeof v !== "string") throw new SubscribeResponseError(`${where}.metadata.${k} must be a string`)
    metadata[k] = v
  }
  const deadLetterTopic = stringField(item, "deadLetterTopic", where)
  return {
    pubsubname: stringField(item, "pubsubname", where),
    topic: stringField(item, "topic", where),
    deadLetterTopic: deadLetterTopic === "" ? undefined : deadLetterTopic,
    metadata,
    rules,
  }
}

export interface ParsedSubscriptions {
  readonly subscriptions: readonly Subscription[]
  /** Why items or answers were ignored (daprd logs these). */
  readonly warnings: readonly string[]
}

/**
 * 200 + JSON array ⇒ subscriptions; 200 with an empty body, `null` or 404 ⇒ none; any other status ⇒ none (logged);
 * bad JSON or wrongly typed fields ⇒ error. Items without any route are discarded (DAPR.md §2).
 */
export const parseSubscribeResponse = (status: number, body: Buffer): ParsedSubscriptions => {
  if (status === 404) return { subscriptions: [], warnings: [] }
  if (status !== 200)
    return {
      subscriptions: [],
      warnings: [`app returned http status code ${status} from subscription endpoint`],
    }
  if (body.toString("utf8").trim() === "") return { subscriptions: [], warnings: [] }
  let decoded: GoValue
  try {
    decoded = decodeFirst(body)
  } catch (e) {
    throw new SubscribeResponseError(
      `error getting topics from app: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  if (decoded === null) return { subscriptions: [], warnings: [] }
  if (!Array.isArray(decoded))
    throw new SubscribeResponseError("error getting topics from app: the answer is not a JSON array")
  const warnings: string[] = []
  const subscriptions = decoded.map(parseItem).filter((s) => {
    if (s.rules.length > 0) return true
    warnings.push(`topic ${s.topic} has an empty routes. removing from subscriptions list`)
    return false
  })
  return { subscriptions, warnings }
}
