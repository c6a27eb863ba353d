/**
 * @todo/agent: the agents as layers, for the one-process app to compose (the agent service's own process is
 * src/main.ts). This is its whole public surface: the agents with their delivery pipeline, and each agent's service
 * for the benchmarks that run one sweep at a time.
 */
export { AgentCore } from "./AgentLive.ts"
export { OverdueAgent } from "./agents/OverdueAgent.ts"
export { PrioritizationAgent } from "./agents/PrioritizationAgent.ts"
export { ReasonWriter } from "./agents/ReasonWriter.ts"
