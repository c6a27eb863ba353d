import { Config, Option, Redacted } from "effect"

/**
 * Which language model the services may use: any OpenAI-compatible chat-completions server. Shared by the chat
 * assistant (api) and the agents' optional reason writer, so one set of variables configures both.
 * An empty or blank OPENAI_API_KEY (e.g. a Secret created from an unset shell variable) counts as unset.
 */
export const ModelConfig = {
  apiKey: Config.option(Config.Redacted("OPENAI_API_KEY")).pipe(
    Config.map(Option.filter((key) => Redacted.value(key).trim() !== "")),
  ),
  baseUrl: Config.option(Config.String("OPENAI_BASE_URL")),
  model: Config.String("OPENAI_MODEL").pipe(Config.withDefault("gpt-4o-mini")),
}
