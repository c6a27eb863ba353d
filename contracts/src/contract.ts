import { initContract } from "@ts-rest/core"
import { Schema } from "effect"
import { DeadLetter, DeadLetterPage, DeadLetterParams } from "./Admin.ts"
import { AuthSession, Settings, SignIn, SignUp, User } from "./Account.ts"
import {
  ChatReply,
  ChatRequest,
  ConversationDetail,
  ConversationPage,
  ConversationParams,
  PageQuery,
} from "./Chat.ts"
import { Page, Text } from "./Common.ts"
import { TaskEvent } from "./Events.ts"
import { ListNotificationsQuery, Notification, NotificationPage } from "./Notification.ts"
import { Problem } from "./Problem.ts"
import { ListSuggestionsQuery, Suggestion, SuggestionIdParams, SuggestionPage } from "./Suggestion.ts"
import {
  CompleteResult,
  CreateTask,
  ListTasksQuery,
  QuickAddParse,
  QuickAddRequest,
  QuickAddResult,
  Task,
  TaskIdParams,
  TaskPage,
  TagList,
  UpdateTask,
} from "./Task.ts"

/**
 * Effect schemas enter the contract as Standard Schema (ts-rest 3.53): the same schema object drives the typed
 * client, the server's validation (packages/runtime/src/http/ContractRouter.ts reads it back) and OpenAPI.
 */
const std = Schema.toStandardSchemaV1
const c = initContract()

const Health = Schema.Struct({ status: Schema.Literal("ok") })
/** What `/ready` says about the Dapr sidecar: `none` where no sidecar is used (`npm start`'s in-process bus). */
export const SidecarStatus = Schema.Literals(["reachable", "unreachable", "none"]).annotate({
  description:
    "Whether this instance's Dapr sidecar answers. Not part of readiness: the API keeps accepting writes while it " +
    "is down (events wait in the outbox).",
})
export type SidecarStatus = typeof SidecarStatus.Type
const Ready = Schema.Struct({ status: Schema.Literal("ready"), sidecar: SidecarStatus })
export const ActivityPage = Page(TaskEvent).annotate({ title: "ActivityPage" })
export const AcceptResult = Schema.Struct({ suggestion: Suggestion, task: Task }).annotate({
  title: "AcceptResult",
})

const problem = std(Problem)

/** Answers every route may give; each is problem+json (RFC 9457). */
const errors = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  412: problem,
  413: problem,
  415: problem,
  429: problem,
  500: problem,
  502: problem,
  503: problem,
  504: problem,
} as const

const correlationHeaders = {
  "x-correlation-id": std(Schema.optional(Text.check(Schema.isMaxLength(200)))),
}

export const systemContract = c.router(
  {
    health: {
      method: "GET",
      path: "/health",
      summary: "Liveness: the process is up",
      responses: { 200: std(Health) },
    },
    ready: {
      method: "GET",
      path: "/ready",
      summary: "Readiness: the database answers; the body also says whether the Dapr sidecar does",
      responses: { 200: std(Ready), 503: problem },
    },
  },
  { strictStatusCodes: true },
)

export const apiContract = c.router(
  {
    auth: {
      signUp: {
        method: "POST",
        path: "/auth/sign-up",
        summary: "Create an account; answers the user and a bearer token",
        body: std(SignUp),
        responses: { 201: std(AuthSession) },
      },
      signIn: {
        method: "POST",
        path: "/auth/sign-in",
        summary: "Sign in with email and password; answers the user and a bearer token",
        body: std(SignIn),
        responses: { 200: std(AuthSession) },
      },
      signOut: {
        method: "POST",
        path: "/auth/sign-out",
        summary: "Revoke the bearer token",
        body: c.noBody(),
        responses: { 204: c.noBody() },
      },
    },
    me: {
      get: { method: "GET", path: "/me", summary: "The signed-in user", responses: { 200: std(User) } },
      getSettings: {
        method: "GET",
        path: "/me/settings",
        summary: "Time zone and agent preferences",
        responses: { 200: std(Settings) },
      },
      putSettings: {
        method: "PUT",
        path: "/me/settings",
        summary: "Replace time zone and agent preferences",
        body: std(Settings),
        responses: { 200: std(Settings) },
      },
    },
    tasks: {
      list: {
        method: "GET",
        path: "/tasks",
        summary: "Search, filter, sort and page through the user's tasks",
        query: std(ListTasksQuery),
        responses: { 200: std(TaskPage) },
      },
      create: {
        method: "POST",
        path: "/tasks",
        summary: "Create a task (writes tasks.created)",
        body: std(CreateTask),
        responses: { 201: std(Task) },
      },
      quick: {
        method: "POST",
        path: "/tasks/quick",
        summary: "Create a task from one line of natural language (dates, every …, #tags, !priority)",
        body: std(QuickAddRequest),
        responses: { 201: std(QuickAddResult) },
      },
      parseQuick: {
        method: "POST",
        path: "/tasks/quick/parse",
        summary: "Show what quick add would understand, without creating anything",
        body: std(QuickAddRequest),
        responses: { 200: std(QuickAddParse) },
      },
      get: {
        method: "GET",
        path: "/tasks/:id",
        summary: "One task",
        pathParams: std(TaskIdParams),
        responses: { 200: std(Task) },
      },
      update: {
        method: "PATCH",
        path: "/tasks/:id",
        summary: "Change some fields (writes tasks.updated); If-Match: <version> for optimistic concurrency",
        pathParams: std(TaskIdParams),
        headers: { "if-match": std(Schema.optional(Text.check(Schema.isMaxLength(40)))) },
        body: std(UpdateTask),
        responses: { 200: std(Task) },
      },
      remove: {
        method: "DELETE",
        path: "/tasks/:id",
        summary: "Delete a task (writes tasks.deleted)",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 204: c.noBody() },
      },
      complete: {
        method: "POST",
        path: "/tasks/:id/complete",
        summary: "Complete a task (idempotent); a recurring task rolls over to its next occurrence",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 200: std(CompleteResult) },
      },
      incomplete: {
        method: "POST",
        path: "/tasks/:id/incomplete",
        summary: "Reopen a completed task (idempotent)",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 200: std(Task) },
      },
      activity: {
        method: "GET",
        path: "/tasks/:id/activity",
        summary: "The task's history from the event log, newest first",
        pathParams: std(TaskIdParams),
        query: std(PageQuery),
        responses: { 200: std(ActivityPage) },
      },
    },
    activity: {
      method: "GET",
      path: "/activity",
      summary: "The history of all the user's tasks, newest first",
      query: std(PageQuery),
      responses: { 200: std(ActivityPage) },
    },
    stream: {
      method: "GET",
      path: "/stream",
      summary: "Live updates: server-sent events of the caller's changes",
      description:
        "text/event-stream. Events `task`, `suggestion` and `notification`, each with data " +
        '`{"id": "<resource id>", "taskId": "<task id or null>", "change": "created|updated|deleted|completed|' +
        'incomplete|pending|accepted|dismissed|withdrawn|read"}`; a `: ping` comment every 15 seconds. Clients ' +
        "refetch what changed and reconnect after a drop.",
      responses: { 200: c.otherResponse({ contentType: "text/event-stream", body: c.type<string>() }) },
    },
    tags: {
      method: "GET",
      path: "/tags",
      summary: "The user's tags with how many tasks carry each",
      responses: { 200: std(TagList) },
    },
    suggestions: {
      list: {
        method: "GET",
        path: "/suggestions",
        summary: "The agents' suggestions for the user's tasks",
        query: std(ListSuggestionsQuery),
        responses: { 200: std(SuggestionPage) },
      },
      accept: {
        method: "POST",
        path: "/suggestions/:id/accept",
        summary: "Apply the proposed change to the task (writes tasks.updated)",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(AcceptResult) },
      },
      dismiss: {
        method: "POST",
        path: "/suggestions/:id/dismiss",
        summary: "Dismiss a suggestion",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(Suggestion) },
      },
    },
    notifications: {
      list: {
        method: "GET",
        path: "/notifications",
        summary: "Reminder notifications, newest first",
        query: std(ListNotificationsQuery),
        responses: { 200: std(NotificationPage) },
      },
      read: {
        method: "POST",
        path: "/notifications/:id/read",
        summary: "Mark a notification read",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(Notification) },
      },
    },
    chat: {
      send: {
        method: "POST",
        path: "/chat",
        summary: "Send a message to the assistant; it may act on tasks through tools",
        body: std(ChatRequest),
        responses: { 200: std(ChatReply) },
      },
      list: {
        method: "GET",
        path: "/chat",
        summary: "The user's conversations",
        query: std(PageQuery),
        responses: { 200: std(ConversationPage) },
      },
      get: {
        method: "GET",
        path: "/chat/:conversationId",
        summary: "A conversation's messages",
        pathParams: std(ConversationParams),
        responses: { 200: std(ConversationDetail) },
      },
      remove: {
        method: "DELETE",
        path: "/chat/:conversationId",
        summary: "Delete a conversation",
        pathParams: std(ConversationParams),
        body: c.noBody(),
        responses: { 204: c.noBody() },
      },
    },
    admin: {
      deadLetters: {
        list: {
          method: "GET",
          path: "/admin/dead-letters",
          summary: "Events parked after failed delivery (admin only)",
          query: std(PageQuery),
          responses: { 200: std(DeadLetterPage) },
        },
        replay: {
          method: "POST",
          path: "/admin/dead-letters/:id/replay",
          summary: "Re-enqueue the event through the outbox with its original id (admin only)",
          pathParams: std(DeadLetterParams),
          body: c.noBody(),
          responses: { 202: std(DeadLetter) },
        },
        remove: {
          method: "DELETE",
          path: "/admin/dead-letters/:id",
          summary: "Discard a dead letter (admin only)",
          pathParams: std(DeadLetterParams),
          body: c.noBody(),
          responses: { 204: c.noBody() },
        },
      },
    },
  },
  { pathPrefix: "/api", strictStatusCodes: true, commonResponses: errors, baseHeaders: correlationHeaders },
)

export const contract = c.router({ system: systemContract, api: apiContract })
export type Contract = typeof contract
