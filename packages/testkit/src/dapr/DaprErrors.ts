import { type GoValue, goObject, marshal, quote } from "./GoJson.ts"

/**
 * daprd's JSON error bodies (DAPR.md §1 "Responses"; R: pkg/api/errors/pubsub.go, dapr/kit errors `JSONErrorValue`):
 * `{"errorCode","message","details":[ErrorInfo, ResourceInfo?]}` — the top level in struct order, each detail a
 * Go map (sorted keys).
 */
export interface DaprErrorResponse {
  readonly status: number
  readonly contentType: string
  readonly body: Buffer
}

interface ErrorSpec {
  readonly status: number
  readonly errorCode: string
  readonly reason: string
  readonly message: string
  readonly metadata: ReadonlyMap<string, string> | undefined
  /** The pubsub name for a ResourceInfo detail; absent for errors without one (e.g. not-found, DAPR.md §1). */
  readonly resourceName?: string
}

const daprError = (spec: ErrorSpec): DaprErrorResponse => {
  const metadata: GoValue = spec.metadata === undefined ? null : goObject(spec.metadata)
  const details: GoValue[] = [
    goObject([
      ["@type", "type.googleapis.com/google.rpc.ErrorInfo"],
      ["domain", "dapr.io"],
      ["metadata", metadata],
      ["reason", spec.reason],
    ]),
  ]
  if (spec.resourceName !== undefined) {
    details.push(
      goObject([
        ["@type", "type.googleapis.com/google.rpc.ResourceInfo"],
        ["description", spec.message],
        ["owner", ""],
        ["resource_name", spec.resourceName],
        ["resource_type", "pubsub"],
      ]),
    )
  }
  const text = `{"errorCode":${quote(spec.errorCode)},"message":${quote(spec.message)},"details":${marshal(details).toString("utf8")}}`
  return { status: spec.status, contentType: "application/json", body: Buffer.from(text, "utf8") }
}

export const pubsubNotFound = (pubsub: string, metadata: ReadonlyMap<string, string>) =>
  daprError({
    status: 404,
    errorCode: "ERR_PUBSUB_NOT_FOUND",
    reason: "DAPR_PUBSUB_NOT_FOUND",
    message: `pubsub ${pubsub} is not found`,
    metadata,
  })

export const pubsubNameEmpty = (metadata: ReadonlyMap<string, string>) =>
  daprError({
    status: 404,
    errorCode: "ERR_PUBSUB_EMPTY",
    reason: "DAPR_PUBSUB_NAME_EMPTY",
    message: "pubsub name is empty",
    metadata,
    resourceName: "",
  })

export const topicNameEmpty = (pubsub: string, metadata: ReadonlyMap<string, string>) =>
  daprError({
    status: 404,
    errorCode: "ERR_TOPIC_NAME_EMPTY",
    reason: "DAPR_PUBSUB_TOPIC_NAME_EMPTY",
    message: `topic is empty in pubsub ${pubsub}`,
    metadata,
    resourceName: pubsub,
  })

export const requestMetadataInvalid = (
  pubsub: string,
  detail: string,
  metadata: ReadonlyMap<string, string>,
) =>
  daprError({
    status: 400,
    errorCode: "ERR_PUBSUB_REQUEST_METADATA",
    reason: "DAPR_PUBSUB_METADATA_DESERIALIZATION",
    message: `failed deserializing metadata. Error: ${detail}`,
    metadata,
    resourceName: pubsub,
  })

export const cloudEventCreation = (pubsub: string, metadata: ReadonlyMap<string, string>) =>
  daprError({
    status: 500,
    errorCode: "ERR_PUBSUB_CLOUD_EVENTS_SER",
    reason: "DAPR_PUBSUB_CLOUD_EVENT_CREATION",
    message: "cannot create cloudevent",
    metadata,
    resourceName: pubsub,
  })

export const publishForbidden = (pubsub: string, topic: string, appId: string) => {
  const message = `topic ${topic} is not allowed for app id ${appId}`
  return daprError({
    status: 403,
    errorCode: "ERR_PUBSUB_FORBIDDEN",
    reason: "DAPR_PUBSUB_FORBIDDEN",
    message,
    metadata: new Map([
      ["topic", topic],
      ["error", message],
    ]),
    resourceName: pubsub,
  })
}

export const publishFailed = (pubsub: string, topic: string, cause: string) =>
  daprError({
    status: 500,
    errorCode: "ERR_PUBSUB_PUBLISH_MESSAGE",
    reason: "DAPR_PUBSUB_PUBLISH_MESSAGE",
    message: `error when publishing to topic ${topic} in pubsub ${pubsub}: ${cause}`,
    metadata: new Map([
      ["topic", topic],
      ["error", cause],
    ]),
    resourceName: pubsub,
  })

/** `http.Error(w, "invalid api token", 401)` (R: pkg/api/http/middlewares.go): Go appends a newline. */
export const invalidApiToken = (): DaprErrorResponse => ({
  status: 401,
  contentType: "text/plain; charset=utf-8",
  body: Buffer.from("invalid api token\n", "utf8"),
})

/** Go's `http.NotFound` for routes daprd does not serve. */
export const routeNotFound = (): DaprErrorResponse => ({
  status: 404,
  contentType: "text/plain; charset=utf-8",
  body: Buffer.from("404 page not found\n", "utf8"),
})

export const healthNotReady = (): DaprErrorResponse => ({
  status: 500,
  contentType: "application/json",
  body: Buffer.from(
    '{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready: [app channel]"}',
    "utf8",
  ),
})
