import { useEffect } from "preact/hooks"
import { token } from "./api.ts"
import { AuthScreen } from "./components/Auth.tsx"
import { Shell } from "./components/Shell.tsx"
import { clearState } from "./stores/session.ts"

/** Signed out: the sign-in screen. Signed in: the app (keyed by token, so a new user starts from scratch). */
export const App = () => {
  const t = token.value
  // Signed out (or the session ended): nothing of the last user stays in memory.
  useEffect(() => {
    if (!t) clearState()
  }, [t])
  return t ? <Shell key={t} /> : <AuthScreen />
}
