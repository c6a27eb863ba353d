// `npm run migrate`: applies the SQL migrations to DATABASE_URL and exits (the Helm pre-upgrade Job runs this).
// The module, not the package index: the index also loads NodeRedis (all of `redis`) and NodeWS (`ws`).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { ExternalDatabase } from "../Database.ts"
import { runMigrations } from "../Migrations.ts"

runMigrations.pipe(Effect.provide(ExternalDatabase), NodeRuntime.runMain)
