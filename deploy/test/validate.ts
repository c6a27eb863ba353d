// Validation of rendered manifests against the vendored schemas (deploy/test/schemas, see vendor.ts there):
//   - every object against its API's schema: the Kubernetes OpenAPI v3 documents for built-in kinds, the CRDs'
//     openAPIV3Schema for Dapr, Gateway API, Cilium and Prometheus Operator kinds, with ajv;
//   - every Dapr Component's metadata keys (and values, where the component lists allowed values) against the
//     component's metadata.yaml from components-contrib, plus Dapr's own pub/sub scoping keys.
// Unknown fields are errors, as kubectl's default strict field validation makes them.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Ajv, type ValidateFunction } from "ajv"
import { parse, parseAllDocuments } from "yaml"
import type { DaprComponent, K8sObject } from "./support.ts"

export const schemasDir = join(import.meta.dirname, "schemas")

export interface RecordedSource {
  readonly name: string
  readonly module: string
  readonly version: string
  readonly sum: string
  readonly files: Record<string, { readonly from: string; readonly sha256: string }>
}

export const recordedSources = (): RecordedSource[] =>
  JSON.parse(readFileSync(join(schemasDir, "sources.json"), "utf8")) as RecordedSource[]

export const sourceOf = (name: string): RecordedSource => {
  const found = recordedSources().find((s) => s.name === name)
  if (found === undefined) throw new Error(`no vendored source ${name} in deploy/test/schemas/sources.json`)
  return found
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Schema = { [key: string]: Json }

const isObject = (v: Json | undefined): v is Schema =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Closes every object schema that lists properties and says nothing about others (what the API server's strict
 * field validation does), except where the schema preserves unknown fields.
 */
const strict = (node: Json, partial = false): Json => {
  if (Array.isArray(node)) return node.map((n) => strict(n, partial))
  if (!isObject(node)) return node
  const out: Schema = {}
  for (const [k, v] of Object.entries(node)) {
    // `properties` and `patternProperties` are maps of names to schemas, not schemas.
    if ((k === "properties" || k === "patternProperties") && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strict(s)]))
    } else if (k === "anyOf" || k === "oneOf" || k === "allOf" || k === "not") {
      // A combinator's branches constrain part of the object (e.g. "one of these keys is required"): closing
      // them would refuse the fields the enclosing schema declares.
      out[k] = Array.isArray(v) ? v.map((b) => strict(b, true)) : strict(v, true)
    } else out[k] = strict(v)
  }
  if (
    !partial &&
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  )
    out.additionalProperties = false
  return out
}

const gvkKey = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`

interface Gvk {
  readonly group: string
  readonly version: string
  readonly kind: string
}

const goRegExp = Object.assign(
  (source: string, flags: string) => new RegExp(source.replace(/\\([pP])([A-Z])/g, "\\$1{$2}"), flags),
  { code: "goRegExp" },
)

const loadValidators = (): Map<string, ValidateFunction> => {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    // The CRDs' patterns are Go (RE2) expressions: `\\PC` there is `\\P{C}` in JavaScript.
    code: { regExp: goRegExp },
  })
  const validators = new Map<string, ValidateFunction>()

  // Built-in kinds: one OpenAPI document per group/version, self-contained ($refs into its own components).
  const k8sDir = join(schemasDir, "kubernetes")
  for (const file of readdirSync(k8sDir).filter((f) => f.endsWith(".json"))) {
    const doc = JSON.parse(readFileSync(join(k8sDir, file), "utf8")) as { components: { schemas: Schema } }
    const id = `k8s:${file}`
    ajv.addSchema({ $id: id, components: strict(doc.components as Json) } as object)
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const gvks = (isObject(schema) ? schema["x-kubernetes-group-version-kind"] : undefined) as
        | Gvk[]
        | undefined
      for (const gvk of gvks ?? []) {
        const apiVersion = gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`
        const key = gvkKey(apiVersion, gvk.kind)
        if (validators.has(key)) continue
        const v = ajv.getSchema(
          `${id}#/components/schemas/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`,
        )
        if (v !== undefined) validators.set(key, v)
      }
    }
  }

  // Custom resources: each served version's openAPIV3Schema.
  for (const dir of ["dapr", "gateway-api", "cilium", "prometheus-operator"]) {
    for (const file of readdirSync(join(schemasDir, dir)).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(readFileSync(join(schemasDir, dir, file), "utf8"))) {
        const crd = doc.toJS() as {
          kind?: string
          spec: {
            group: string
            names: { kind: string }
            versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: Json } }>
          }
        } | null
        if (crd?.kind !== "CustomResourceDefinition") continue
        for (const version of crd.spec.versions.filter((v) => v.served)) {
          const key = gvkKey(`${crd.spec.group}/${version.name}`, crd.spec.names.kind)
          validators.set(key, ajv.compile(strict(version.schema.openAPIV3Schema) as object))
        }
      }
    }
  }
  return validators
}

let cached: Map<string, ValidateFunction> | undefined
const validators = () => {
  cached ??= loadValidators()
  return cached
}

/** The kinds the vendored schemas cover, as "apiVersion/Kind". */
export const knownKinds = (): string[] => [...validators().keys()]

/** Schema errors of one object, as "Kind/name: /path message" lines; none when valid. */
export const schemaErrors = (object: K8sObject): string[] => {
  const where = `${object.kind}/${object.metadata?.name ?? "?"}`
  const validate = validators().get(gvkKey(object.apiVersion, object.kind))
  if (validate === undefined) return [`${where}: no vendored schema for ${object.apiVersion} ${object.kind}`]
  if (validate(object)) return []
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === "additionalProperties"
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : ""
    return `${where}: ${e.instancePath || "/"} ${e.message ?? e.keyword}${extra}`
  })
}

// ------------------------------------------------------------------------------------------------
// Dapr component metadata against components-contrib

interface MetadataField {
  readonly name: string
  readonly required?: boolean
  readonly allowedValues?: ReadonlyArray<string>
}
interface ComponentMetadataFile {
  readonly type: string
  readonly name: string
  readonly version: string
  readonly metadata?: ReadonlyArray<MetadataField>
  readonly authenticationProfiles?: ReadonlyArray<{ readonly metadata?: ReadonlyArray<MetadataField> }>
  readonly builtinAuthenticationProfiles?: ReadonlyArray<{ readonly metadata?: ReadonlyArray<MetadataField> }>
}

const componentFiles = (): ComponentMetadataFile[] => {
  const dir = join(schemasDir, "components-contrib")
  return readdirSync(dir)
    .filter((f) => f.endsWith("metadata.yaml"))
    .map((f) => parse(readFileSync(join(dir, f), "utf8")) as ComponentMetadataFile)
}

/** The pub/sub metadata keys daprd itself reads (topic scoping), from the vendored pkg/scopes/scopes.go. */
export const daprScopingKeys = (): string[] => {
  const go = readFileSync(join(schemasDir, "dapr", "scopes.go.txt"), "utf8")
  return [
    ...go.matchAll(
      /^\s*(?:SubscriptionScopes|PublishingScopes|AllowedTopics|ProtectedTopics)\s*=\s*"([^"]+)"/gm,
    ),
  ].map((m) => m[1] ?? "")
}

/** Metadata problems of one Dapr Component, as lines; none when every key and listed value is known. */
export const componentMetadataErrors = (component: DaprComponent): string[] => {
  const where = `Component/${component.metadata.name} (${component.spec.type} ${component.spec.version})`
  const [kind, ...rest] = component.spec.type.split(".")
  const file = componentFiles().find(
    (f) => f.type === kind && f.name === rest.join(".") && f.version === component.spec.version,
  )
  if (file === undefined)
    return [
      `${where}: no vendored components-contrib metadata.yaml for this type (add it in deploy/test/schemas/vendor.ts)`,
    ]
  const fields = new Map<string, MetadataField[]>()
  const add = (f: MetadataField) => fields.set(f.name, [...(fields.get(f.name) ?? []), f])
  for (const f of file.metadata ?? []) add(f)
  for (const p of [...(file.authenticationProfiles ?? []), ...(file.builtinAuthenticationProfiles ?? [])])
    for (const f of p.metadata ?? []) add(f)
  if (kind === "pubsub") for (const key of daprScopingKeys()) add({ name: key })

  const errors: string[] = []
  const given = new Map(component.spec.metadata.map((m) => [m.name, m]))
  for (const item of component.spec.metadata) {
    const known = fields.get(item.name)
    if (known === undefined) {
      errors.push(`${where}: metadata "${item.name}" is not a field of ${file.type}.${file.name}`)
      continue
    }
    // A literal value must be one the component allows (any profile that lists the field may allow it).
    const allowed = known.flatMap((f) => f.allowedValues ?? [])
    if (item.value !== undefined && allowed.length > 0 && known.every((f) => f.allowedValues !== undefined)) {
      if (!allowed.includes(String(item.value)))
        errors.push(
          `${where}: metadata "${item.name}" is ${JSON.stringify(item.value)}, allowed: ${allowed.join(", ")}`,
        )
    }
  }
  for (const f of file.metadata ?? []) {
    if (f.required === true && !given.has(f.name))
      errors.push(`${where}: required metadata "${f.name}" is missing`)
  }
  return errors
}
