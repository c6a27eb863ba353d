import { SignUp } from "@todo/contracts"
import { Cause, Exit, Schema } from "effect"
import { useState } from "preact/hooks"
import { call, client, describeProblem, fieldErrors, problemOf, saveSession, sessionExpired } from "../api.ts"
import { deviceTimeZone } from "../time.ts"
import { FieldError, invalidProps } from "./common.tsx"

/**
 * A length rule as a person would say it. The contract's checks speak schema ("Expected a value with a length of at
 * least 10", "Expected a string with at most 100 code points"); messages written for people pass through unchanged.
 */
export const humanizeLength = (message: string): string => {
  const [, bound, n] =
    message.match(/^Expected (?:a value with a length of |a string with )?at (least|most) (\d+)/) ?? []
  return bound ? `Use at ${bound} ${n} characters.` : message
}

/** What the contract asks of a new password, from the contract itself (so it follows the server's rule). */
const passwordRule = (() => {
  const exit = Schema.decodeUnknownExit(SignUp.fields.password)("")
  if (Exit.isSuccess(exit)) return null
  const failure = Cause.squash(exit.cause)
  const message =
    typeof failure === "object" && failure !== null && "message" in failure ? failure.message : ""
  const rule = humanizeLength(typeof message === "string" ? message : "")
  return rule.startsWith("Use at least ") ? `At least ${rule.slice("Use at least ".length)}` : null
})()

/** Sign in, or create an account. */
export const AuthScreen = () => {
  const [mode, setMode] = useState<"signIn" | "signUp">("signIn")
  const [email, setEmail] = useState("")
  const [password, setPassword] = useState("")
  const [name, setName] = useState("")
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const signingUp = mode === "signUp"

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setErrors({})
    setFormError(null)
    // The browser's zone becomes the account's, so "tomorrow 9am" means 9 in the morning here from the first task.
    const signUpBody = { email: email.trim(), password, name: name.trim(), timezone: deviceTimeZone() }
    const res = signingUp
      ? await call(() => client.api.auth.signUp({ body: signUpBody }))
      : await call(() => client.api.auth.signIn({ body: { email: email.trim(), password } }))
    setBusy(false)
    if (res.status === 200 || res.status === 201) {
      sessionExpired.value = false
      saveSession(res.body)
      return
    }
    const problem = problemOf(res)
    const byField = fieldErrors(problem)
    for (const field of ["password", "name", "email"]) {
      const message = byField[field]
      if (message) byField[field] = humanizeLength(message)
    }
    if (res.status === 401) setFormError("Wrong email or password.")
    else if (res.status === 409)
      byField.email ??= problem.detail ?? "An account with this email already exists."
    else if (Object.keys(byField).length === 0) setFormError(describeProblem(res))
    setErrors(byField)
  }

  const switchTo = (m: "signIn" | "signUp") => {
    setMode(m)
    setErrors({})
    setFormError(null)
  }

  return (
    <main class="auth" id="main">
      <div class="auth-card">
        <h1 class="brand-title">
          <span class="logo" aria-hidden="true">
            ✓
          </span>{" "}
          Todo
        </h1>
        <p class="muted">Tasks, reminders and a few helpful agents.</p>
        {sessionExpired.value && (
          <p class="notice" role="status">
            Your session has ended. Please sign in again.
          </p>
        )}
        <fieldset class="segmented">
          <legend class="sr-only">Account</legend>
          <button type="button" aria-pressed={!signingUp} onClick={() => switchTo("signIn")}>
            Sign in
          </button>
          <button type="button" aria-pressed={signingUp} onClick={() => switchTo("signUp")}>
            Create account
          </button>
        </fieldset>
        <form onSubmit={submit} noValidate aria-label={signingUp ? "Create account" : "Sign in"}>
          {signingUp && (
            <div class="field">
              <label for="auth-name">Name</label>
              <input
                id="auth-name"
                name="name"
                autocomplete="name"
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
                {...invalidProps("auth-name-error", errors.name)}
              />
              <FieldError id="auth-name-error" message={errors.name} />
            </div>
          )}
          <div class="field">
            <label for="auth-email">Email</label>
            <input
              id="auth-email"
              name="email"
              type="email"
              autocomplete="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              {...invalidProps("auth-email-error", errors.email)}
            />
            <FieldError id="auth-email-error" message={errors.email} />
          </div>
          <div class="field">
            <label for="auth-password">Password</label>
            <input
              id="auth-password"
              name="password"
              type="password"
              autocomplete={signingUp ? "new-password" : "current-password"}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              {...invalidProps("auth-password-error", errors.password)}
              {...(!errors.password && signingUp && passwordRule
                ? { "aria-describedby": "auth-password-hint" }
                : {})}
            />
            {signingUp && !errors.password && passwordRule && (
              <p class="hint" id="auth-password-hint">
                {passwordRule}
              </p>
            )}
            <FieldError id="auth-password-error" message={errors.password} />
          </div>
          {formError && (
            <p class="form-error" role="alert">
              {formError}
            </p>
          )}
          <button class="primary wide" type="submit" disabled={busy}>
            {busy ? "Please wait…" : signingUp ? "Create account" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  )
}
