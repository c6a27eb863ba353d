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
import { Page, TextUpTo } from "./Common.ts"
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

const Health = Schema.Struct({
  status: Schema.Literal("ok").annotateKey({ description: "Always `ok`: the process answers." }),
}).annotate({ title: "Health", description: "The process is up." })
/** What `/ready` says about the Dapr sidecar: `none` where no sidecar is used (`npm start`'s in-process bus). */
export const SidecarStatus = Schema.Literals(["reachable", "unreachable", "none"]).annotate({
  title: "SidecarStatus",
  description:
    "Whether this instance's Dapr sidecar answers. Not part of readiness: the API keeps accepting writes while it " +
    "is down (events wait in the outbox).",
})
export type SidecarStatus = typeof SidecarStatus.Type
const Ready = Schema.Struct({
  status: Schema.Literal("ready").annotateKey({ description: "Always `ready`: the database answers." }),
  sidecar: SidecarStatus.annotateKey({ description: "Whether the Dapr sidecar answers." }),
}).annotate({ title: "Ready", description: "This instance can serve requests." })
export const ActivityPage = Page(TaskEvent).annotate({
  title: "ActivityPage",
  description: "A page of task events, the newest first.",
})
export const AcceptResult = Schema.Struct({
  suggestion: Suggestion.annotateKey({ description: "The suggestion, now accepted." }),
  task: Task.annotateKey({ description: "The task with the change applied." }),
}).annotate({ title: "AcceptResult", description: "An accepted suggestion and the task it changed." })

const problem = std(Problem)

/** A route anyone may call, without a bearer token (the OpenAPI document gives it no security requirement). */
const PUBLIC = { public: true } as const

/**
 * Problem answers (RFC 9457, `application/problem+json`) a route may give besides the 400 and 500 every API route
 * may. Each route lists exactly the statuses it can answer: the server's route helpers hold the list to the
 * handler's typed errors at compile time (packages/runtime/src/http/ContractRouter.ts, `StatusCheck`).
 */
const problems = <const S extends ReadonlyArray<number>>(...statuses: S) =>
  // Object.fromEntries types its keys as string; the keys are exactly `statuses`.
  Object.fromEntries(statuses.map((status) => [status, problem])) as {
    readonly [K in S[number]]: typeof problem
  }

/** What a route answers to a missing or invalid bearer token. */
const signedIn = [401] as const
/** What a JSON body may be refused with besides a 400: too large, or not JSON. */
const jsonBody = [413, 415] as const

const correlationHeaders = {
  "x-correlation-id": std(
    Schema.optional(
      TextUpTo(200).annotate({
        description:
          "An id that follows the request through logs, traces and the events it causes (at most 200 " +
          "characters); the answer carries it back. One is made when absent.",
      }),
    ),
  ),
}

export const systemContract = c.router(
  {
    health: {
      method: "GET",
      path: "/health",
      summary: "Liveness: the process is up",
      metadata: PUBLIC,
      responses: { 200: std(Health), 500: problem },
    },
    ready: {
      method: "GET",
      path: "/ready",
      summary: "Readiness: the database answers; the body also says whether the Dapr sidecar does",
      metadata: PUBLIC,
      responses: { 200: std(Ready), 500: problem, 503: problem },
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
        metadata: PUBLIC,
        body: std(SignUp),
        responses: { 201: std(AuthSession), ...problems(409, ...jsonBody, 429) },
      },
      signIn: {
        method: "POST",
        path: "/auth/sign-in",
        summary: "Sign in with email and password; answers the user and a bearer token",
        metadata: PUBLIC,
        body: std(SignIn),
        responses: { 200: std(AuthSession), ...problems(401, ...jsonBody, 429) },
      },
      signOut: {
        method: "POST",
        path: "/auth/sign-out",
        summary: "Revoke the bearer token",
        body: c.noBody(),
        responses: { 204: c.noBody(), ...problems(...signedIn) },
      },
    },
    me: {
      get: {
        method: "GET",
        path: "/me",
        summary: "The signed-in user",
        responses: { 200: std(User), ...problems(...signedIn) },
      },
      getSettings: {
        method: "GET",
        path: "/me/settings",
        summary: "Time zone and agent preferences",
        responses: { 200: std(Settings), ...problems(...signedIn) },
      },
      putSettings: {
        method: "PUT",
        path: "/me/settings",
        summary: "Replace time zone and agent preferences",
        body: std(Settings),
        responses: { 200: std(Settings), ...problems(...signedIn, ...jsonBody) },
      },
    },
    tasks: {
      list: {
        method: "GET",
        path: "/tasks",
        summary: "Search, filter, sort and page through the user's tasks",
        query: std(ListTasksQuery),
        responses: { 200: std(TaskPage), ...problems(...signedIn) },
      },
      create: {
        method: "POST",
        path: "/tasks",
        summary: "Create a task (writes tasks.created)",
        body: std(CreateTask),
        responses: { 201: std(Task), ...problems(...signedIn, ...jsonBody) },
      },
      quick: {
        method: "POST",
        path: "/tasks/quick",
        summary: "Create a task from one line of natural language (dates, every …, #tags, !priority)",
        body: std(QuickAddRequest),
        responses: { 201: std(QuickAddResult), ...problems(...signedIn, ...jsonBody) },
      },
      parseQuick: {
        method: "POST",
        path: "/tasks/quick/parse",
        summary: "Show what quick add would understand, without creating anything",
        body: std(QuickAddRequest),
        responses: { 200: std(QuickAddParse), ...problems(...signedIn, ...jsonBody) },
      },
      get: {
        method: "GET",
        path: "/tasks/:id",
        summary: "One task",
        pathParams: std(TaskIdParams),
        responses: { 200: std(Task), ...problems(...signedIn, 404) },
      },
      update: {
        method: "PATCH",
        path: "/tasks/:id",
        summary: "Change some fields (writes tasks.updated); If-Match: <version> for optimistic concurrency",
        pathParams: std(TaskIdParams),
        headers: {
          "if-match": std(
            Schema.optional(
              TextUpTo(40).annotate({
                description:
                  "The `version` you read: the update applies only if the task is still at it (412 otherwise).",
                examples: ['"3"'],
              }),
            ),
          ),
        },
        body: std(UpdateTask),
        responses: { 200: std(Task), ...problems(...signedIn, 404, 412, ...jsonBody) },
      },
      remove: {
        method: "DELETE",
        path: "/tasks/:id",
        summary: "Delete a task (writes tasks.deleted)",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 204: c.noBody(), ...problems(...signedIn, 404) },
      },
      complete: {
        method: "POST",
        path: "/tasks/:id/complete",
        summary: "Complete a task (idempotent); a recurring task rolls over to its next occurrence",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 200: std(CompleteResult), ...problems(...signedIn, 404) },
      },
      incomplete: {
        method: "POST",
        path: "/tasks/:id/incomplete",
        summary: "Reopen a completed task (idempotent)",
        pathParams: std(TaskIdParams),
        body: c.noBody(),
        responses: { 200: std(Task), ...problems(...signedIn, 404) },
      },
      activity: {
        method: "GET",
        path: "/tasks/:id/activity",
        summary: "The task's history from the event log, newest first",
        pathParams: std(TaskIdParams),
        query: std(PageQuery),
        responses: { 200: std(ActivityPage), ...problems(...signedIn, 404) },
      },
    },
    activity: {
      method: "GET",
      path: "/activity",
      summary: "The history of all the user's tasks, newest first",
      query: std(PageQuery),
      responses: { 200: std(ActivityPage), ...problems(...signedIn) },
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
      responses: {
        200: c.otherResponse({ contentType: "text/event-stream", body: c.type<string>() }),
        ...problems(...signedIn),
      },
    },
    tags: {
      method: "GET",
      path: "/tags",
      summary: "The user's tags with how many tasks carry each",
      responses: { 200: std(TagList), ...problems(...signedIn) },
    },
    suggestions: {
      list: {
        method: "GET",
        path: "/suggestions",
        summary: "The agents' suggestions for the user's tasks",
        query: std(ListSuggestionsQuery),
        responses: { 200: std(SuggestionPage), ...problems(...signedIn) },
      },
      accept: {
        method: "POST",
        path: "/suggestions/:id/accept",
        summary: "Apply the proposed change to the task (writes tasks.updated)",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(AcceptResult), ...problems(...signedIn, 404, 409) },
      },
      dismiss: {
        method: "POST",
        path: "/suggestions/:id/dismiss",
        summary: "Dismiss a suggestion",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(Suggestion), ...problems(...signedIn, 404, 409) },
      },
    },
    notifications: {
      list: {
        method: "GET",
        path: "/notifications",
        summary: "Reminder notifications, newest first",
        query: std(ListNotificationsQuery),
        responses: { 200: std(NotificationPage), ...problems(...signedIn) },
      },
      read: {
        method: "POST",
        path: "/notifications/:id/read",
        summary: "Mark a notification read",
        pathParams: std(SuggestionIdParams),
        body: c.noBody(),
        responses: { 200: std(Notification), ...problems(...signedIn, 404) },
      },
    },
    chat: {
      send: {
        method: "POST",
        path: "/chat",
        summary: "Send a message to the assistant; it may act on tasks through tools",
        body: std(ChatRequest),
        responses: { 200: std(ChatReply), ...problems(...signedIn, 404, ...jsonBody, 502, 503, 504) },
      },
      list: {
        method: "GET",
        path: "/chat",
        summary: "The user's conversations",
        query: std(PageQuery),
        responses: { 200: std(ConversationPage), ...problems(...signedIn) },
      },
      get: {
        method: "GET",
        path: "/chat/:conversationId",
        summary: "A conversation's messages",
        pathParams: std(ConversationParams),
        responses: { 200: std(ConversationDetail), ...problems(...signedIn, 404) },
      },
      remove: {
        method: "DELETE",
        path: "/chat/:conversationId",
        summary: "Delete a conversation",
        pathParams: std(ConversationParams),
        body: c.noBody(),
        responses: { 204: c.noBody(), ...problems(...signedIn, 404) },
      },
    },
    admin: {
      deadLetters: {
        list: {
          method: "GET",
          path: "/admin/dead-letters",
          summary: "Events parked after failed delivery (admin only)",
          query: std(PageQuery),
          responses: { 200: std(DeadLetterPage), ...problems(...signedIn, 403) },
        },
        replay: {
          method: "POST",
          path: "/admin/dead-letters/:id/replay",
          summary: "Re-enqueue the event through the outbox with its original id (admin only)",
          pathParams: std(DeadLetterParams),
          body: c.noBody(),
          responses: { 202: std(DeadLetter), ...problems(...signedIn, 403, 404, 409) },
        },
        remove: {
          method: "DELETE",
          path: "/admin/dead-letters/:id",
          summary: "Discard a dead letter (admin only)",
          pathParams: std(DeadLetterParams),
          body: c.noBody(),
          responses: { 204: c.noBody(), ...problems(...signedIn, 403, 404) },
        },
      },
    },
  },
  {
    pathPrefix: "/api",
    strictStatusCodes: true,
    commonResponses: { 400: problem, 500: problem },
    baseHeaders: correlationHeaders,
  },
)

export const contract = c.router({ system: systemContract, api: apiContract })
export type Contract = typeof contract
