// `npm run migrate`: applies the SQL migrations to DATABASE_URL and exits (the Helm pre-upgrade Job runs this).
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { ExternalDatabase } from "../Database.ts"
import { runMigrations } from "../Migrations.ts"

runMigrations.pipe(Effect.provide(ExternalDatabase), NodeRuntime.runMain)
