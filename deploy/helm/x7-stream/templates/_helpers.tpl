{{/* Names and labels shared by every template. */}}

{{- define "x7-stream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name, or <release>-x7-stream; short enough for "-processor-metrics" after it. */}}
{{- define "x7-stream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "x7-stream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "x7-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: x7-stream
{{- end }}

{{/* Pods of one role: (dict "root" $ "component" "processor"). */}}
{{- define "x7-stream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "x7-stream.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "x7-stream.componentLabels" -}}
{{ include "x7-stream.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "x7-stream.secretName" -}}
{{- default (include "x7-stream.fullname" .) .Values.secret.name }}
{{- end }}

{{- define "x7-stream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The ports each role serves; the chart sets the variables that choose them. */}}
{{- define "x7-stream.metricsPort" -}}
{{- get (dict "processor" 9464 "worker" 9465 "bridge" 9466) . }}
{{- end }}
{{- define "x7-stream.bridgePort" -}}8080{{- end }}

{{/* Series of this release, as the ServiceMonitor labels them (PromQL label matchers). */}}
{{- define "x7-stream.series" -}}
namespace="{{ .Release.Namespace }}",service=~"{{ include "x7-stream.fullname" . }}-(processor|worker|bridge)-metrics"
{{- end }}

{{/* The topic the processor consumes, as x7 names it (X7_TOPIC_PREFIX first). */}}
{{- define "x7-stream.inboundTopic" -}}
{{- printf "%schat.inbound" (default "" .Values.config.X7_TOPIC_PREFIX) }}
{{- end }}

{{/* Refusals: values that would render a chart that cannot work. */}}
{{- define "x7-stream.checks" -}}
{{- range $key := list "X7_METRICS_HOST" "X7_METRICS_PORT" "X7_BRIDGE_HOST" "X7_BRIDGE_PORT" "X7_BRIDGE_METRICS_PORT" "X7_DEV_TOKENS" }}
{{- if or (hasKey $.Values.config $key) (hasKey $.Values.processor.env $key) (hasKey $.Values.worker.env $key) (hasKey $.Values.bridge.env $key) }}
{{- fail (printf "%s is set by the chart (its probes, Services and ServiceMonitor depend on it): remove it from config and env" $key) }}
{{- end }}
{{- end }}
{{- range $key := list "DATABASE_URL" "REDIS_URL" "X7_JWT_SECRET" "X7_LLM_API_KEY" }}
{{- if or (hasKey $.Values.config $key) (hasKey $.Values.processor.env $key) (hasKey $.Values.worker.env $key) (hasKey $.Values.bridge.env $key) }}
{{- fail (printf "%s is a secret: put it in the Secret (secret.values, or your own Secret), not in config or env" $key) }}
{{- end }}
{{- end }}
{{- if gt (int .Values.processor.replicas) (int .Values.inboundPartitions) }}
{{- fail (printf "processor.replicas (%d) is above inboundPartitions (%d): the extra processors would own no partition of chat.inbound" (int .Values.processor.replicas) (int .Values.inboundPartitions)) }}
{{- end }}
{{- if and .Values.keda.enabled (gt (int .Values.keda.processor.maxReplicaCount) (int .Values.inboundPartitions)) }}
{{- fail (printf "keda.processor.maxReplicaCount (%d) is above inboundPartitions (%d)" (int .Values.keda.processor.maxReplicaCount) (int .Values.inboundPartitions)) }}
{{- end }}
{{- if and .Values.secret.create (not .Values.secret.values.DATABASE_URL) }}
{{- fail "secret.create is true but secret.values.DATABASE_URL is empty" }}
{{- end }}
{{- end }}
