import { Context } from "effect"

export interface AuthenticatedUser {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly createdAt: string
  /** The bearer token the request came with (sign-out revokes it). */
  readonly token: string
}

/** The caller of an authenticated route; provided by {@link Authentication} before the handler runs. */
export class CurrentUser extends Context.Service<CurrentUser, AuthenticatedUser>()("@todo/api/CurrentUser") {}
