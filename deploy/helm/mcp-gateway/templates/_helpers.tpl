{{/*
Template subset (deploy/helm/mcp-gateway/README.md, "How the chart is checked"): Go text/template, sprig and Helm's
include, toYaml, fromYaml and required only; .Values, .Release, .Chart and .Template; no .Files, no lookup, no .Capabilities
checks. test/static/helm-render renders exactly that with the engine Helm uses.
*/}}

{{/* Chart name and release-based full name, at most 63 characters (as `helm create` writes them). */}}
{{- define "mcp-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mcp-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "mcp-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mcp-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The release's pods, gateway and migration alike (NetworkPolicy). */}}
{{- define "mcp-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The gateway's pods only (Deployment, Service, PDB, spread constraints). */}}
{{- define "mcp-gateway.gatewaySelectorLabels" -}}
{{ include "mcp-gateway.selectorLabels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "mcp-gateway.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "mcp-gateway.configMapName" -}}
{{ include "mcp-gateway.fullname" . }}-config
{{- end }}

{{- define "mcp-gateway.secretName" -}}
{{ required "existingSecret: name the Secret holding MREG_ENCRYPTION_KEY and the other secret settings" .Values.existingSecret }}
{{- end }}

{{/*
The non-secret environment, as ConfigMap data: config plus the two keys the chart derives (MREG_PORT from
containerPort, MREG_MIGRATE_ON_BOOT from migration.enabled). The migration Job gets the same as `env`, because a
pre-install hook runs before the ConfigMap exists.
*/}}
{{- define "mcp-gateway.configData" -}}
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ $value | quote }}
{{- end }}
MREG_PORT: {{ .Values.containerPort | quote }}
MREG_MIGRATE_ON_BOOT: {{ not .Values.migration.enabled | toString | quote }}
{{- end }}

{{/*
Variables the chart sets on top of envFrom: the bundled PostgreSQL's and Redis' URLs, built from the subcharts'
Services and generated Secrets ($(VAR) is expanded by the kubelet from variables defined before it).
*/}}
{{- define "mcp-gateway.bundledEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: BUNDLED_POSTGRESQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-postgresql" .Release.Name | trunc 63 | trimSuffix "-" }}
      key: password
- name: MREG_DATABASE_URL
  value: {{ printf "postgres://%s:$(BUNDLED_POSTGRESQL_PASSWORD)@%s-postgresql:5432/%s" .Values.postgresql.auth.username .Release.Name .Values.postgresql.auth.database | quote }}
{{- end }}
{{- if .Values.redis.enabled }}
{{- if .Values.redis.auth.enabled }}
- name: BUNDLED_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-redis" .Release.Name | trunc 63 | trimSuffix "-" }}
      key: redis-password
- name: MREG_REDIS_URL
  value: {{ printf "redis://:$(BUNDLED_REDIS_PASSWORD)@%s-redis-master:6379" .Release.Name | quote }}
{{- else }}
- name: MREG_REDIS_URL
  value: {{ printf "redis://%s-redis-master:6379" .Release.Name | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The two writable directories of a read-only root file system: /data (MREG_DATA_DIR) and /tmp. */}}
{{- define "mcp-gateway.volumeMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- end }}
