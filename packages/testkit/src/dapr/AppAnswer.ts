import { decodeFirst, type GoValue, isGoObject } from "./GoJson.ts"

/**
 * How daprd reads the app's answer to a delivery (DAPR.md §2 "How the app's answer is read";
 * R: pkg/runtime/subscription/postman/http/http.go `Deliver`).
 */
export type AppVerdict =
  | { readonly kind: "success" }
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "drop"; readonly reason: string }

/**
 * The `status` daprd decodes from a 2xx body with `json.NewDecoder(body).Decode(&AppResponse{})`: only the first
 * JSON value is read; any decode problem (empty body, not JSON, a non-object, a non-string `status`) means the
 * status check is skipped, i.e. SUCCESS. Struct field names match case-insensitively; the status value does not.
 */
const decodeStatus = (body: Buffer): string | undefined => {
  let v: GoValue
  try {
    v = decodeFirst(body)
  } catch {
    return undefined
  }
  if (v === null) return ""
  if (!isGoObject(v)) return undefined
  let status = ""
  for (const [k, value] of v) {
    if (k.toLowerCase() !== "status") continue
    if (value === null) continue
    // A wrongly typed field makes Decode return an UnmarshalTypeError for the whole answer.
    if (typeof value !== "string") return undefined
    status = value
  }
  return status
}

export const interpretAppAnswer = (statusCode: number, body: Buffer): AppVerdict => {
  if (statusCode >= 200 && statusCode <= 299) {
    const status = decodeStatus(body)
    if (status === undefined || status === "" || status === "SUCCESS") return { kind: "success" }
    if (status === "RETRY") return { kind: "retry", reason: "RETRY status returned from app" }
    if (status === "DROP") return { kind: "drop", reason: "DROP status returned from app" }
    return { kind: "retry", reason: `unknown status returned from app: ${status}` }
  }
  if (statusCode === 404)
    return { kind: "drop", reason: "non-retriable error returned from app: status code 404" }
  return { kind: "retry", reason: `retriable error returned from app: status code ${statusCode}` }
}
