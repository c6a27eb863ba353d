// Applies a chosen theme before the first paint, so a dark-theme user never sees a white flash. A classic script
// loaded from our own origin (not inline), so a Content-Security-Policy of `script-src 'self'` allows it.
try {
  const t = localStorage.getItem("todo.theme")
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t
} catch {}
