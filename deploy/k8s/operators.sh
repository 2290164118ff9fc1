#!/usr/bin/env bash
# The operators the manifests use, installed (or upgraded) with Helm from each project's own chart
# repository: CloudNativePG, the RabbitMQ Cluster Operator, KEDA, cert-manager, the OpenTelemetry
# Operator, and the Prometheus Operator's CRDs (ServiceMonitor). Each chart's version
# may be pinned with the variables below (empty: the chart's newest); docs/operations.md says what each
# is for. Idempotent.
set -euo pipefail

CNPG_VERSION=${CNPG_VERSION:-}
RABBITMQ_OPERATOR_VERSION=${RABBITMQ_OPERATOR_VERSION:-}
KEDA_VERSION=${KEDA_VERSION:-}
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION:-}
OTEL_OPERATOR_VERSION=${OTEL_OPERATOR_VERSION:-}
PROMETHEUS_CRDS_VERSION=${PROMETHEUS_CRDS_VERSION:-}

helm repo add cnpg https://cloudnative-pg.github.io/charts --force-update >/dev/null
helm repo add kedacore https://kedacore.github.io/charts --force-update >/dev/null
helm repo add jetstack https://charts.jetstack.io --force-update >/dev/null
helm repo add open-telemetry https://open-telemetry.github.io/opentelemetry-helm-charts --force-update >/dev/null
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm repo update >/dev/null

# install RELEASE CHART VERSION [helm options...]
install() {
  local release=$1 chart=$2 version=$3
  shift 3
  helm upgrade --install --wait --timeout 10m "$release" "$chart" ${version:+--version "$version"} "$@"
}
install cnpg cnpg/cloudnative-pg "$CNPG_VERSION" --namespace cnpg-system --create-namespace
install rabbitmq-cluster-operator oci://registry-1.docker.io/bitnamicharts/rabbitmq-cluster-operator \
  "$RABBITMQ_OPERATOR_VERSION" --namespace rabbitmq-system --create-namespace
install keda kedacore/keda "$KEDA_VERSION" --namespace keda --create-namespace
install cert-manager jetstack/cert-manager "$CERT_MANAGER_VERSION" --namespace cert-manager \
  --create-namespace --set crds.enabled=true
install opentelemetry-operator open-telemetry/opentelemetry-operator "$OTEL_OPERATOR_VERSION" \
  --namespace opentelemetry-operator-system --create-namespace \
  --set manager.collectorImage.repository=otel/opentelemetry-collector-k8s
install prometheus-operator-crds prometheus-community/prometheus-operator-crds \
  "$PROMETHEUS_CRDS_VERSION" --namespace monitoring --create-namespace
