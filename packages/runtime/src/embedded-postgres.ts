/**
 * @todo/runtime/embedded-postgres: a PostgreSQL server of the process's own (the one-process mode's default, the
 * tests' shared server). An entry point apart from the package's index so that it is named where it is used.
 */
export {
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
  freePort,
  startEmbeddedPostgres,
} from "./EmbeddedPostgres.ts"
