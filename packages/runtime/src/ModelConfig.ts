import { Config } from "effect"

/**
 * Which language model the services may use: any OpenAI-compatible chat-completions server. Shared by the chat
 * assistant (api) and the agents' optional reason writer, so one set of variables configures both.
 */
export const ModelConfig = {
  apiKey: Config.option(Config.Redacted("OPENAI_API_KEY")),
  baseUrl: Config.option(Config.String("OPENAI_BASE_URL")),
  model: Config.String("OPENAI_MODEL").pipe(Config.withDefault("gpt-4o-mini")),
}
