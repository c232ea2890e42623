{{- define "ippool.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ippool.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "ippool.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ippool.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ippool.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: ippool
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "ippool.selector" -}}
app.kubernetes.io/name: {{ include "ippool.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ippool.image" -}}
{{- $registry := default .Values.image.registry .Values.global.imageRegistryOverride -}}
{{- $ref := printf "%s/%s" $registry .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $ref .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "ippool.tlsSecret" -}}
{{- if eq .Values.apiserver.tls.method "provided" -}}
{{- required "apiserver.tls.provided.secretName is required with tls.method=provided" .Values.apiserver.tls.provided.secretName -}}
{{- else -}}
{{- printf "%s-tls" (include "ippool.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "ippool.databaseSecret" -}}
{{- if .Values.postgresql.existingSecret -}}
{{- .Values.postgresql.existingSecret -}}
{{- else if eq .Values.postgresql.mode "cloudnative-pg" -}}
{{- printf "%s-app" (include "ippool.postgresName" .) -}}
{{- else -}}
{{- printf "%s-database" (include "ippool.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "ippool.postgresName" -}}
{{- printf "%s-postgres" (include "ippool.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The key of the database Secret that holds the URL: CloudNativePG's app Secret calls it "uri". */}}
{{- define "ippool.databaseUrlKey" -}}
{{- if and (eq .Values.postgresql.mode "cloudnative-pg") (not .Values.postgresql.existingSecret) -}}uri{{- else -}}url{{- end -}}
{{- end -}}

{{- define "ippool.validate" -}}
{{- $modes := list "bundled" "cloudnative-pg" "external" -}}
{{- if not (has .Values.postgresql.mode $modes) -}}
{{- fail (printf "postgresql.mode must be one of %s, not %q" (join ", " $modes) .Values.postgresql.mode) -}}
{{- end -}}
{{- if and (eq .Values.postgresql.mode "external") (not .Values.postgresql.existingSecret) (not .Values.postgresql.external.url) -}}
{{- fail "postgresql.mode=external needs postgresql.external.url or postgresql.existingSecret" -}}
{{- end -}}
{{- if not (has .Values.apiserver.tls.method (list "certmanager" "provided")) -}}
{{- fail (printf "apiserver.tls.method must be certmanager or provided, not %q" .Values.apiserver.tls.method) -}}
{{- end -}}
{{- end -}}

{{/* The node agents' ServiceAccount; the server lets exactly this identity use the IPAM API (and only that).
   Tolerates values from a release that predates the setting (helm upgrade --reuse-values). */}}
{{- define "ippool.agentServiceAccount" -}}
{{- $name := dig "serviceAccount" "name" "" (.Values.spiderpoolAgent | default dict) -}}
{{- default (printf "%s-agent" (include "ippool.fullname" .)) $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
