import { type HttpMeaning, INTERNAL, meaning } from "@todo/runtime"
import { Schema } from "effect"

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String,
}) {
  get httpMeaning(): HttpMeaning<401> {
    return meaning(401, "unauthorized", this.message, {
      headers: { "www-authenticate": 'Bearer realm="todo"' },
    })
  }
}

export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {}) {
  get httpMeaning(): HttpMeaning<409> {
    return meaning(409, "email-taken", "An account with this email already exists.", {
      errors: [{ path: "body.email", message: "already registered" }],
    })
  }
}

export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {}) {
  get httpMeaning(): HttpMeaning<401> {
    return meaning(401, "invalid-credentials", "Wrong email or password.")
  }
}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { message: Schema.String }) {
  get httpMeaning(): HttpMeaning<403> {
    return meaning(403, "forbidden", this.message)
  }
}

export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  retryAfterSeconds: Schema.Int,
}) {
  get httpMeaning(): HttpMeaning<429> {
    return meaning(429, "rate-limited", `Too many attempts; try again in ${this.retryAfterSeconds} s.`, {
      headers: { "retry-after": String(this.retryAfterSeconds) },
    })
  }
}

/** Better Auth answered something we did not expect; a 5xx with nothing leaked. */
export class AuthFailure extends Schema.TaggedError<AuthFailure>()("AuthFailure", {
  cause: Schema.Defect(),
}) {
  get httpMeaning(): HttpMeaning<500> {
    return INTERNAL
  }
}
