import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"

/** Small HTTP helpers of the sidecar: reading/answering its API requests, and calling it like an app does. */

export interface PublishOptions {
  /** Default: `application/json` for objects/arrays/numbers/booleans/null, none for strings and Buffers. */
  readonly contentType?: string
  /** Sent as `metadata.<key>=<value>` query parameters. */
  readonly metadata?: Readonly<Record<string, string>>
  readonly headers?: Readonly<Record<string, string>>
  readonly pubsubName?: string
  readonly method?: "POST" | "PUT"
}

export interface HttpAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

export const send = (
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: Buffer | string,
  extra: Record<string, string> = {},
) => {
  const headers: Record<string, string> = { ...extra }
  if (contentType !== undefined) headers["Content-Type"] = contentType
  if (contentType === "text/plain; charset=utf-8") headers["X-Content-Type-Options"] = "nosniff"
  res.writeHead(status, headers)
  res.end(status === 204 ? undefined : body)
}

export const firstHeader = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v

/** Publishes over real HTTP, as an app would: objects as JSON, strings/Buffers as they are (no Content-Type). */
export const publishOverHttp = (
  baseUrl: string,
  pubsubName: string,
  topic: string,
  data: unknown,
  options: PublishOptions = {},
): Promise<HttpAnswer> => {
  const isRaw = typeof data === "string" || Buffer.isBuffer(data)
  const body = Buffer.isBuffer(data)
    ? data
    : Buffer.from(typeof data === "string" ? data : JSON.stringify(data), "utf8")
  const contentType = options.contentType ?? (isRaw ? undefined : "application/json")
  const query = new URLSearchParams(
    Object.entries(options.metadata ?? {}).map(([k, v]) => [`metadata.${k}`, v]),
  ).toString()
  const path = `/v1.0/publish/${encodeURIComponent(pubsubName)}/${encodeURIComponent(topic)}${query === "" ? "" : `?${query}`}`
  const headers: Record<string, string> = {
    ...(contentType === undefined ? {} : { "Content-Type": contentType }),
    ...options.headers,
  }
  return httpCall(`${baseUrl}${path}`, options.method ?? "POST", headers, body)
}

/** A one-off HTTP call without connection pooling (nothing stays open afterwards). */
export const httpCall = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      )
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })
