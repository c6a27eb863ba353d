import { generateOpenApi } from "@ts-rest/open-api"
import { Schema } from "effect"
import { contract } from "./contract.ts"

/**
 * The OpenAPI 3.1 document of the API, generated from the contract: each route's Effect schemas become JSON Schema
 * (draft 2020-12) through `Schema.toJsonSchemaDocument`. Never written by hand.
 */
export const openApiDocument = (options: { readonly version: string; readonly serverUrl?: string }) => {
  const document = generateOpenApi(
    contract,
    {
      openapi: "3.1.0",
      info: {
        title: "todo-app API",
        version: options.version,
        description:
          "Tasks with priority, due dates, reminders, recurrence and tags; agent suggestions; a chat assistant. " +
          "Authenticate with `Authorization: Bearer <token>` from sign-up or sign-in. Errors are RFC 9457 " +
          "problem+json with field paths.",
      },
      ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "Token from sign-in or sign-up" },
        },
      },
      security: [{ bearer: [] }],
    },
    {
      setOperationId: "concatenated-path",
      jsonQuery: false,
      schemaTransformer: ({ schema }) => {
        if (!Schema.isSchema(schema)) return null
        const doc = Schema.toJsonSchemaDocument(schema)
        // ts-rest types the transformer's answer as its own SchemaObject (OpenAPI 3.0 typings); ours is JSON Schema
        // 2020-12, which OpenAPI 3.1 embeds as is.
        return {
          ...doc.schema,
          ...(Object.keys(doc.definitions).length > 0 ? { $defs: doc.definitions } : {}),
        } as never
      },
    },
  )
  return document
}
