import prefresh from "@prefresh/vite"
import { defineConfig, type UserConfig } from "vite"

const api = process.env.TODO_API_URL ?? "http://localhost:4000"

/**
 * Preact, compiled by Vite's own transformer (oxc) against preact's automatic JSX runtime. Prefresh adds hot
 * module replacement of components in development (state in signals survives an edit). `npm run dev -w @todo/web`
 * serves on :5173 and sends API calls to the one-process server on :4000 (TODO_API_URL overrides).
 */
export default defineConfig(
  async (): Promise<UserConfig> => ({
    plugins: [await prefresh()],
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    server: {
      port: 5173,
      proxy: {
        "/api": { target: api, changeOrigin: false },
        "/health": api,
        "/ready": api,
      },
    },
    preview: { port: 4173 },
    build: {
      outDir: "dist",
      emptyOutDir: true,
      assetsDir: "assets",
      target: "es2022",
      sourcemap: false,
      reportCompressedSize: false,
    },
  }),
)
