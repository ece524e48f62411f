{{/*
Chart name, truncated to 63 characters (DNS label).
*/}}
{{- define "memory-fabric.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release-chart unless the release name already contains the chart name.
*/}}
{{- define "memory-fabric.fullname" -}}
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

{{- define "memory-fabric.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "memory-fabric.headlessName" -}}
{{- printf "%s-headless" (include "memory-fabric.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "memory-fabric.labels" -}}
helm.sh/chart: {{ include "memory-fabric.chart" . }}
{{ include "memory-fabric.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: memory-fabric
{{- end }}

{{- define "memory-fabric.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memory-fabric.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{- define "memory-fabric.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "memory-fabric.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "memory-fabric.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The Secret holding the admin key, or "" when the server should create <data>/admin.key itself (single mode only).
*/}}
{{- define "memory-fabric.adminSecretName" -}}
{{- if .Values.adminKey.existingSecret }}
{{- .Values.adminKey.existingSecret }}
{{- else if or .Values.adminKey.value (eq .Values.mode "cluster") }}
{{- printf "%s-admin" (include "memory-fabric.fullname" .) }}
{{- end }}
{{- end }}

{{- define "memory-fabric.azureSecretName" -}}
{{- if .Values.azureStorage.existingSecret }}
{{- .Values.azureStorage.existingSecret }}
{{- else }}
{{- printf "%s-azure" (include "memory-fabric.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Whether the cluster uses Azure Storage membership (and so needs the connection string).
*/}}
{{- define "memory-fabric.usesAzure" -}}
{{- if and (eq .Values.mode "cluster") (eq .Values.orleans.clustering "azureStorage") }}true{{- end }}
{{- end }}

{{/*
Whether the silos use Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes): cluster mode with
orleans.kubernetesHosting. It needs the orleans/* pod labels, the POD_* and ORLEANS_* variables, the service-account
token and the Role of rbac.yaml.
*/}}
{{- define "memory-fabric.kubernetesHosting" -}}
{{- if and (eq .Values.mode "cluster") .Values.orleans.kubernetesHosting }}true{{- end }}
{{- end }}

{{/*
Fails the render on combinations the schema cannot express.
*/}}
{{- define "memory-fabric.validate" -}}
{{- if not (has .Values.mode (list "single" "cluster")) }}
{{- fail (printf "mode must be single or cluster, not %q" .Values.mode) }}
{{- end }}
{{- if and (include "memory-fabric.usesAzure" .) (not .Values.azureStorage.existingSecret) (not .Values.azureStorage.connectionString) }}
{{- fail "orleans.clustering=azureStorage needs azureStorage.existingSecret (or azureStorage.connectionString)" }}
{{- end }}
{{- end }}

{{/*
The server's environment: MemoryFabric__* settings (see src/MemoryFabric.Server/MemoryFabricServerOptions.cs).
*/}}
{{- define "memory-fabric.env" -}}
- name: MemoryFabric__Urls
  value: "http://0.0.0.0:8080"
- name: MemoryFabric__DataDirectory
  value: /data
- name: MemoryFabric__Embedder
  value: {{ .Values.embedder | quote }}
- name: MemoryFabric__ShutdownTimeout
  value: {{ printf "%02d:%02d:%02d" (div (int .Values.shutdown.timeoutSeconds) 3600) (div (mod (int .Values.shutdown.timeoutSeconds) 3600) 60) (mod (int .Values.shutdown.timeoutSeconds) 60) | quote }}
- name: TMPDIR
  value: /tmp
- name: DOTNET_EnableDiagnostics
  value: "0"
{{- with (include "memory-fabric.adminSecretName" .) }}
- name: MemoryFabric__AdminKey
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.adminKey.secretKey }}
{{- end }}
{{- if eq .Values.mode "cluster" }}
- name: MemoryFabric__Mode
  value: Cluster
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: ORLEANS_SERVICE_ID
  value: {{ .Values.orleans.serviceId | quote }}
- name: ORLEANS_CLUSTER_ID
  value: {{ .Values.orleans.clusterId | quote }}
- name: MemoryFabric__Cluster__Kubernetes
  value: {{ ternary "true" "false" (eq (include "memory-fabric.kubernetesHosting" .) "true") | quote }}
- name: MemoryFabric__Cluster__AdvertisedIPAddress
  value: $(POD_IP)
- name: MemoryFabric__Cluster__ClusterId
  value: {{ .Values.orleans.clusterId | quote }}
- name: MemoryFabric__Cluster__ServiceId
  value: {{ .Values.orleans.serviceId | quote }}
- name: MemoryFabric__Cluster__SiloPort
  value: {{ .Values.orleans.siloPort | quote }}
- name: MemoryFabric__Cluster__GatewayPort
  value: {{ .Values.orleans.gatewayPort | quote }}
{{- if eq .Values.orleans.clustering "development" }}
- name: MemoryFabric__Cluster__Clustering
  value: Development
- name: MemoryFabric__Cluster__PrimarySiloEndpoint
  value: {{ printf "%s-0.%s.%s.svc.cluster.local:%v" (include "memory-fabric.fullname" .) (include "memory-fabric.headlessName" .) .Release.Namespace .Values.orleans.siloPort | quote }}
{{- else }}
- name: MemoryFabric__Cluster__Clustering
  value: AzureStorage
- name: MemoryFabric__Cluster__AzureStorage__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ include "memory-fabric.azureSecretName" . }}
      key: {{ .Values.azureStorage.secretKey }}
- name: MemoryFabric__Cluster__AzureStorage__ContainerName
  value: {{ .Values.azureStorage.containerName | quote }}
{{- end }}
{{- else }}
- name: MemoryFabric__Mode
  value: Embedded
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The pod template shared by the single-node and the cluster StatefulSets.
*/}}
{{- define "memory-fabric.podTemplate" -}}
metadata:
  labels:
    {{- include "memory-fabric.selectorLabels" . | nindent 4 }}
    {{- if eq .Values.mode "cluster" }}
    {{- /* How Orleans' Kubernetes hosting finds a cluster's pods; equal to ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID. */}}
    orleans/serviceId: {{ .Values.orleans.serviceId | quote }}
    orleans/clusterId: {{ .Values.orleans.clusterId | quote }}
    {{- end }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "memory-fabric.serviceAccountName" . }}
  {{- /* The Kubernetes hosting reads the pods through the API server with the service-account token. */}}
  automountServiceAccountToken: {{ eq (include "memory-fabric.kubernetesHosting" .) "true" }}
  {{- $stop := add .Values.shutdown.preStopSeconds .Values.shutdown.timeoutSeconds 2 }}
  {{- if lt (int .Values.terminationGracePeriodSeconds) (int $stop) }}
  {{- fail (printf "terminationGracePeriodSeconds (%v) must be at least shutdown.preStopSeconds + shutdown.timeoutSeconds + 2 (%v), or the pod is killed before it has stopped" .Values.terminationGracePeriodSeconds $stop) }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: server
      image: {{ include "memory-fabric.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        {{- if eq .Values.mode "cluster" }}
        - name: silo
          containerPort: {{ .Values.orleans.siloPort }}
          protocol: TCP
        - name: gateway
          containerPort: {{ .Values.orleans.gatewayPort }}
          protocol: TCP
        {{- end }}
      env:
        {{- include "memory-fabric.env" . | nindent 8 }}
      {{- if gt (int .Values.shutdown.preStopSeconds) 0 }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ .Values.shutdown.preStopSeconds }}
      {{- end }}
      {{- with .Values.probes.startup }}
      {{- if .enabled }}
      startupProbe:
        httpGet:
          path: {{ .path }}
          port: http
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      {{- with .Values.probes.liveness }}
      {{- if .enabled }}
      livenessProbe:
        httpGet:
          path: {{ .path }}
          port: http
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      {{- with .Values.probes.readiness }}
      {{- if .enabled }}
      readinessProbe:
        httpGet:
          path: {{ .path }}
          port: http
        periodSeconds: {{ .periodSeconds }}
        timeoutSeconds: {{ .timeoutSeconds }}
        failureThreshold: {{ .failureThreshold }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: /data
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        medium: Memory
        sizeLimit: {{ .Values.tmpSizeLimit }}
    {{- if not .Values.persistence.enabled }}
    - name: data
      emptyDir: {}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{- define "memory-fabric.volumeClaimTemplates" -}}
{{- if .Values.persistence.enabled }}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "memory-fabric.selectorLabels" . | nindent 8 }}
    spec:
      accessModes:
        {{- toYaml .Values.persistence.accessModes | nindent 8 }}
      {{- with .Values.persistence.storageClass }}
      storageClassName: {{ . | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .Values.persistence.size }}
{{- end }}
{{- end }}
