/** The server-sent events wire format (https://html.spec.whatwg.org/multipage/server-sent-events.html), read from a fetch body. */

/** Splits an SSE byte stream into events (`event:` name + joined `data:` lines); comments are keep-alives. */
export const parseSse = async (
  body: ReadableStream<Uint8Array>,
  onMessage: (event: string, data: string) => void,
  onActivity: () => void,
) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  let event = ""
  let data: Array<string> = []
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    onActivity()
    buffer += decoder.decode(value, { stream: true })
    let nl = buffer.search(/\r\n|\r|\n/)
    while (nl >= 0) {
      // A CR at the end of the chunk may be half of a CRLF: wait for the next chunk to tell.
      if (buffer[nl] === "\r" && nl === buffer.length - 1) break
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + (buffer[nl] === "\r" && buffer[nl + 1] === "\n" ? 2 : 1))
      if (line === "") {
        if (data.length > 0) onMessage(event || "message", data.join("\n"))
        event = ""
        data = []
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":")
        const field = colon < 0 ? line : line.slice(0, colon)
        const value_ = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
        if (field === "event") event = value_
        else if (field === "data") data.push(value_)
      }
      nl = buffer.search(/\r\n|\r|\n/)
    }
  }
}
