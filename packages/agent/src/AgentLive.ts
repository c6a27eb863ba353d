import {
  ConsumerRetentionLive,
  DeadLetters,
  EventDeliveryLive,
  HandlerRegistry,
  Outbox,
} from "@todo/messaging"
import { Notifications, SuggestionRepo, UserSettings } from "@todo/core"
import { Layer } from "effect"
import { OverdueAgent } from "./agents/OverdueAgent.ts"
import { PrioritizationAgent } from "./agents/PrioritizationAgent.ts"
import { ReasonWriter } from "./agents/ReasonWriter.ts"
import { ReminderAgent } from "./agents/ReminderAgent.ts"
import { WithdrawalLive } from "./agents/Withdrawal.ts"

/** Each agent: its service, and a live layer that registers its handlers and starts its schedule. */
export const Agents = Layer.mergeAll(
  OverdueAgent.live,
  PrioritizationAgent.live,
  ReminderAgent.live,
  ReasonWriter.live,
  WithdrawalLive,
  ConsumerRetentionLive,
).pipe(
  Layer.provideMerge(Layer.mergeAll(OverdueAgent.layer, PrioritizationAgent.layer, ReminderAgent.layer)),
  Layer.provideMerge(ReasonWriter.layer),
)

/**
 * The consumer side: the registry filled by the agents, and the delivery pipeline (EventConsumer) that the Dapr
 * subscription route or the in-process bus calls. Needs a database.
 */
export const AgentCore = EventDeliveryLive.pipe(
  Layer.provideMerge(Agents),
  Layer.provideMerge(HandlerRegistry.layer),
  Layer.provideMerge(
    Layer.mergeAll(
      SuggestionRepo.layer,
      UserSettings.layer,
      DeadLetters.layer,
      Notifications.layer,
      Outbox.layer,
    ),
  ),
)
