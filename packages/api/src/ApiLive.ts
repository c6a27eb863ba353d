import { DeadLetters, OutboxRelayLive } from "@todo/messaging"
import { apiContract, contract } from "@todo/contracts"
import { Activity, cursorKeyFromSecret, Notifications, UserChanges, UserSettings } from "@todo/core"
import { SuggestionService, TaskService } from "@todo/core/tasks"
import { contractPatterns, implement, NotFoundRoute, serveObserved, SystemRoutes } from "@todo/runtime"
import { Effect, Layer } from "effect"
import type { HttpServer } from "effect/http"
import { AuthConfig, AuthService } from "./auth/AuthService.ts"
import { LoginThrottle } from "./auth/LoginThrottle.ts"
import { RateLimiter } from "./auth/RateLimiter.ts"
import { Roles } from "./auth/Roles.ts"
import { ChatService } from "./chat/ChatService.ts"
import { AccountRoutes } from "./http/AccountRoutes.ts"
import { AdminRoutes } from "./http/AdminRoutes.ts"
import { ChatRoutes } from "./http/ChatRoutes.ts"
import { DocsRoutes } from "./http/DocsRoutes.ts"
import { NotificationRoutes } from "./http/NotificationRoutes.ts"
import { OpenStreams, StreamRoute } from "./http/StreamRoutes.ts"
import { SuggestionRoutes } from "./http/SuggestionRoutes.ts"
import { ActivityRoute, TagRoute, TaskRoutes } from "./http/TaskRoutes.ts"

/** The API contract, implemented as one object: a route missing or misplaced here does not compile. */
const ContractRoutes = implement(apiContract, {
  auth: AccountRoutes.auth,
  me: AccountRoutes.me,
  tasks: TaskRoutes,
  activity: ActivityRoute,
  stream: StreamRoute,
  tags: TagRoute,
  suggestions: SuggestionRoutes,
  notifications: NotificationRoutes,
  chat: ChatRoutes,
  admin: AdminRoutes,
})

/** Every route of the API service. */
export const ApiRoutes = Layer.mergeAll(SystemRoutes, ContractRoutes, DocsRoutes)

/** The services the routes call; they need a database (SqlClient, PgClient) and AuthConfig. */
export const ApiServices = Layer.mergeAll(
  TaskService.layer,
  SuggestionService.layer,
  UserSettings.layer,
  AuthService.layer,
  RateLimiter.layer,
  LoginThrottle.layer,
  Roles.layer,
  DeadLetters.layer,
  ChatService.layer,
  Activity.layer,
  Notifications.layer,
  UserChanges.layer,
  OpenStreams.layer,
)

/** Pagination cursors are signed with a key derived from the server's secret, the same on every replica. */
const CursorKeyLive = Layer.unwrap(
  Effect.gen(function* () {
    return cursorKeyFromSecret((yield* AuthConfig).secret)
  }),
)

/**
 * The HTTP side of the API, served on the given server layer. Paths no route claims go to `fallback`: a 404
 * problem for the API service alone, the web UI in the one-process mode.
 */
export const ApiHttpWith = <E, R, FE, FR>(
  server: Layer.Layer<HttpServer.HttpServer, E, R>,
  fallback: Layer.Layer<never, FE, FR>,
) =>
  serveObserved(Layer.mergeAll(ApiRoutes, fallback), API_PATTERNS).pipe(
    Layer.provide(server),
    Layer.provide(Layer.mergeAll(ApiServices, CursorKeyLive)),
  )

/** The API's routes as patterns, for span names, request logs and metrics labels. */
const API_PATTERNS = [
  ...contractPatterns(contract),
  { method: "GET", path: "/api/openapi.json" },
  { method: "GET", path: "/api/docs" },
  { method: "GET", path: "/api/docs/:asset" },
]

/** The API service's HTTP side: unclaimed paths are a 404 problem. */
export const ApiHttp = <E, R>(server: Layer.Layer<HttpServer.HttpServer, E, R>) =>
  ApiHttpWith(server, NotFoundRoute)

/** The outbox relay, publishing through whichever EventPublisher the composition root provides. */
export const ApiRelay = OutboxRelayLive
