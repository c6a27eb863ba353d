{{/* ---------------------------------------------------------------------------------------------
     Names and labels
     --------------------------------------------------------------------------------------------- */}}
{{- define "todo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "todo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "todo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-app
{{- end -}}

{{/* Selector labels of one component. Usage: include "todo.selectorLabels" (dict "root" $ "component" "api") */}}
{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "todo.componentLabels" -}}
{{ include "todo.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Dapr app-ids are part of the application's interface (component scopes, topic ACLs): fixed. */}}
{{- define "todo.apiAppId" -}}todo-api{{- end -}}
{{- define "todo.agentAppId" -}}todo-agent{{- end -}}
{{- define "todo.daprConfigName" -}}todo-tracing{{- end -}}
{{- define "todo.resiliencyName" -}}todo-resiliency{{- end -}}

{{/* ---------------------------------------------------------------------------------------------
     Images: <registry>/<repository>:<tag>[@<digest>]. The tag falls back to image.tag (shared by
     web, api and agent, set with --set image.tag=...); the schema refuses "latest" and "".
     Usage: include "todo.image" (dict "root" $ "image" .Values.api.image)
     --------------------------------------------------------------------------------------------- */}}
{{- define "todo.image" -}}
{{- $registry := .root.Values.image.registry | trimSuffix "/" -}}
{{- $tag := toString (default .root.Values.image.tag .image.tag) -}}
{{- if or (eq $tag "") (eq $tag "latest") -}}
{{- fail (printf "image %s: a pinned tag is required (got %q)" .image.repository $tag) -}}
{{- end -}}
{{- $repo := .image.repository -}}
{{- if $registry -}}{{- $repo = printf "%s/%s" $registry $repo -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" $repo $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "todo.imageTag" -}}
{{- toString (default .root.Values.image.tag .image.tag) -}}
{{- end -}}

{{/* ---------------------------------------------------------------------------------------------
     Secrets. Four Secrets, each either created by the chart (from values, or generated) or
     provided by the operator (existingSecret):
       app       DATABASE_URL, BETTER_AUTH_SECRET, OPENAI_API_KEY (optional)
       dapr API  token  (Dapr reads the fixed key "token": dapr.io/api-token-secret)
       app API   token  (dapr.io/app-token-secret, same fixed key)
       kafka     brokers, username, password, ca.crt  (read by the Dapr component only)
     --------------------------------------------------------------------------------------------- */}}
{{- define "todo.appSecretName" -}}
{{- default (printf "%s-secrets" (include "todo.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}
{{- define "todo.daprApiTokenSecretName" -}}
{{- default (printf "%s-dapr-api-token" (include "todo.fullname" .)) .Values.secrets.daprApiToken.existingSecret -}}
{{- end -}}
{{- define "todo.appApiTokenSecretName" -}}
{{- default (printf "%s-app-api-token" (include "todo.fullname" .)) .Values.secrets.appApiToken.existingSecret -}}
{{- end -}}
{{- define "todo.kafkaSecretName" -}}
{{- default (printf "%s-kafka" (include "todo.fullname" .)) .Values.secrets.kafka.existingSecret -}}
{{- end -}}

{{/* A value given in values.yaml, else the one already stored in the Secret (so upgrades keep it),
     else a random one. Usage: include "todo.secretValue" (dict "root" $ "secret" NAME "key" KEY "value" V "length" N) */}}
{{- define "todo.secretValue" -}}
{{- if .value -}}
{{- .value -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret | default dict -}}
{{- $stored := dig "data" .key "" $existing -}}
{{- if $stored -}}{{- $stored | b64dec -}}{{- else -}}{{- randAlphaNum (int .length) -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------------------------------------
     Telemetry endpoints
     --------------------------------------------------------------------------------------------- */}}
{{/* OTLP/HTTP base URL for the apps (OTEL_EXPORTER_OTLP_ENDPOINT). */}}
{{- define "todo.otlpHttpEndpoint" -}}
{{- if .Values.config.otelExporterOtlpEndpoint -}}
{{- .Values.config.otelExporterOtlpEndpoint -}}
{{- else if .Values.jaeger.enabled -}}
{{- printf "http://%s-jaeger.%s.svc.cluster.local:4318" (include "todo.fullname" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* host:port (no scheme) for the Dapr sidecars' OTLP exporter. */}}
{{- define "todo.daprOtlpEndpoint" -}}
{{- if .Values.dapr.tracing.endpointAddress -}}
{{- .Values.dapr.tracing.endpointAddress -}}
{{- else if .Values.jaeger.enabled -}}
{{- printf "%s-jaeger.%s.svc.cluster.local:4317" (include "todo.fullname" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------------------------------------
     Security contexts: the "restricted" Pod Security Standard, not configurable downwards.
     --------------------------------------------------------------------------------------------- */}}
{{- define "todo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "todo.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Replicas a component has at least: HPA minReplicas when autoscaling, else replicaCount. */}}
{{- define "todo.minReplicas" -}}
{{- if and (hasKey . "autoscaling") .autoscaling.enabled -}}
{{- .autoscaling.minReplicas -}}
{{- else -}}
{{- .replicaCount -}}
{{- end -}}
{{- end -}}

{{/* Spread replicas over nodes (soft), so a node loss or drain takes at most one replica out. */}}
{{- define "todo.topologySpread" -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "todo.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* Labels every pod of the release carries (the default-deny NetworkPolicy selects them). */}}
{{- define "todo.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Each component runs under its own ServiceAccount, with no API token mounted (serviceaccounts.yaml).
     Usage: include "todo.serviceAccountName" (dict "root" $ "component" "api") */}}
{{- define "todo.serviceAccountName" -}}
{{- printf "%s-%s" (include "todo.fullname" .root) .component -}}
{{- end -}}

{{/* The chart's components that run pods, given the values (ServiceAccounts, NetworkPolicies). */}}
{{- define "todo.podComponents" -}}
{{- $c := list "api" "agent" -}}
{{- if .Values.web.enabled -}}{{- $c = append $c "web" -}}{{- end -}}
{{- if .Values.migrations.enabled -}}{{- $c = append $c "migrations" -}}{{- end -}}
{{- if .Values.adminJob.enabled -}}{{- $c = append $c "admin" -}}{{- end -}}
{{- if .Values.jaeger.enabled -}}{{- $c = append $c "jaeger" -}}{{- end -}}
{{- if .Values.postgres.enabled -}}{{- $c = append $c "postgres" -}}{{- end -}}
{{- if .Values.redis.enabled -}}{{- $c = append $c "redis" -}}{{- end -}}
{{- join " " $c -}}
{{- end -}}

{{/* A Secret value with leading or trailing whitespace (a file's final newline, `jq -r` output) reaches the
     Kafka client verbatim: neither the Dapr operator nor the component trims it, and SASL fails.
     Usage: include "todo.checkKafkaValue" (dict "secret" NAME "key" KEY "value" V) */}}
{{- define "todo.checkKafkaValue" -}}
{{- if ne .value (trim .value) -}}
{{- fail (printf "Secret %s, key %s: the value has leading or trailing whitespace (a file's final newline?). Dapr passes it to Kafka verbatim and SASL fails: recreate the Secret with --from-literal=%s=\"$(...)\" (docs/deploy-doks.md)" .secret .key .key) -}}
{{- end -}}
{{- if eq .value "" -}}
{{- fail (printf "Secret %s, key %s: the value is empty" .secret .key) -}}
{{- end -}}
{{- end -}}

{{/* api and agent: the app's preStop (5 s) and drain run inside the sidecar's block-shutdown window, then the
     sidecar drains for up to gracefulShutdownSeconds; 5 s spare. */}}
{{- define "todo.terminationGracePeriodSeconds" -}}
{{- if .Values.dapr.enabled -}}
{{- add (int .Values.dapr.blockShutdownSeconds) (int .Values.dapr.gracefulShutdownSeconds) 5 -}}
{{- else -}}
30
{{- end -}}
{{- end -}}
