import { render } from "preact"
import { App } from "./App.tsx"
import "./styles.css"
import { applyTheme } from "./theme.ts"

applyTheme()
const root = document.getElementById("app")
if (root) render(<App />, root)
