/**
 * @todo/api: the REST API as layers, for the one-process app to compose (the API service's own process is
 * src/main.ts, and `npm run admin` is src/bin/admin.ts: neither is imported). This is its whole public surface.
 */
export { ApiHttp, ApiHttpWith, ApiRelay } from "./ApiLive.ts"
export { AuthConfig } from "./auth/AuthService.ts"
// The reply the chat gives when a conversation reaches its limit of actions per round (asserted end to end).
export { roundLimitReply } from "./chat/ChatService.ts"
