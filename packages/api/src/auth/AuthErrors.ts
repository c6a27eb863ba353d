import { Schema } from "effect"

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String,
}) {}
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {}) {}
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {}) {}
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { message: Schema.String }) {}
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  retryAfterSeconds: Schema.Int,
}) {}
/** Better Auth answered something we did not expect; a 5xx with nothing leaked. */
export class AuthFailure extends Schema.TaggedError<AuthFailure>()("AuthFailure", {
  cause: Schema.Defect(),
}) {}
