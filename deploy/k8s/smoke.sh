#!/usr/bin/env bash
# `make k8s-smoke`: the image built with Docker, loaded into a kind cluster, the operators installed
# with Helm, the dev overlay applied with fresh secrets, then the portal checked through its gateway.
# Needs docker, kind, kubectl, helm, openssl and curl, and the network (images and charts). Not part of
# `make test`, which checks the same manifests offline (tests/deploy). docs/operations.md says more.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLUSTER=${PORTAL_KIND_CLUSTER:-portal-smoke}
IMAGE=provider-portal:dev  # the dev overlay's image (deploy/k8s/base/kustomization.yaml)
NS=portal
say() { printf '==> %s\n' "$*"; }
for tool in docker kind kubectl helm openssl curl; do
  command -v "$tool" >/dev/null || { echo "k8s-smoke needs $tool" >&2; exit 2; }
done

say "building $IMAGE"
docker build --tag "$IMAGE" .
kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubectl config use-context "kind-$CLUSTER" >/dev/null
say "loading the image into kind"
kind load docker-image "$IMAGE" --name "$CLUSTER"

say "installing the operators (docs/operations.md, \"Install the operators\")"
bash deploy/k8s/operators.sh

say "creating the namespace and its secrets"
kubectl apply -f deploy/k8s/base/namespace.yaml
kubectl -n "$NS" apply -k deploy/k8s/overlays/dev >/dev/null 2>&1 || true  # the broker makes its user
for _ in $(seq 120); do
  kubectl -n "$NS" get secret portal-rabbitmq-default-user >/dev/null 2>&1 && break; sleep 5
done
secret() { kubectl -n "$NS" get secret "$1" -o "jsonpath={.data.$2}" | base64 -d; }
amqp_user=$(secret portal-rabbitmq-default-user username)
amqp_pass=$(secret portal-rabbitmq-default-user password)
random() { openssl rand -hex 24; }
key32() { openssl rand -base64 32; }
kubectl -n "$NS" create secret generic portal-db-superuser --type=kubernetes.io/basic-auth \
  --from-literal=username=postgres --from-literal="password=$(random)" --dry-run=client -o yaml | kubectl apply -f -
gateway_secret=$(random)
for service in identity actuals payments claims messaging reports; do
  upper=${service^^}
  args=(
    "--from-literal=${upper}_DATABASE_URL=postgresql://portal_${service}:$(random)@portal-db-rw:5432/portal"
    "--from-literal=${upper}_AMQP_URL=amqp://${amqp_user}:${amqp_pass}@portal-rabbitmq:5672/"
  )
  if [ "$service" = identity ]; then
    args+=(
      "--from-literal=IDENTITY_SIGNING_KEY=$(openssl genpkey -algorithm ed25519)"
      "--from-literal=IDENTITY_SECURITY_CODE_KEY=$(key32)"
      "--from-literal=IDENTITY_DELIVERY_KEY=$(key32)"
      "--from-literal=IDENTITY_GATEWAY_SECRET=$gateway_secret"
    )
  fi
  # Made once: a second run keeps the passwords the roles were made with.
  kubectl -n "$NS" get secret "portal-$service" >/dev/null 2>&1 \
    || kubectl -n "$NS" create secret generic "portal-$service" "${args[@]}"
done
kubectl -n "$NS" get secret portal-gateway >/dev/null 2>&1 || kubectl -n "$NS" create secret generic portal-gateway \
  "--from-literal=GATEWAY_CSRF_SECRET=$(random)" "--from-literal=GATEWAY_IDENTITY_SECRET=$gateway_secret"

say "applying the dev overlay"
kubectl -n "$NS" delete job -l portal.role=migrations --ignore-not-found  # a Job's pod template is immutable
kubectl apply -k deploy/k8s/overlays/dev
kubectl -n "$NS" wait --for=condition=Ready cluster.postgresql.cnpg.io/portal-db --timeout=600s
kubectl -n "$NS" wait --for=condition=complete job -l portal.role=migrations --timeout=600s
kubectl -n "$NS" wait --for=condition=Available deployment --all --timeout=600s

say "checking the portal through its gateway"
kubectl -n "$NS" port-forward service/gateway 8080:8000 >/dev/null 2>&1 &
forward=$!
trap 'kill $forward' EXIT
for _ in $(seq 30); do curl -fsS http://localhost:8080/healthz >/dev/null 2>&1 && break; sleep 1; done
for path in /healthz /readyz / /api/asyncapi.json; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:8080$path")
  [ "$code" = 200 ] || { echo "GET $path answered $code" >&2; exit 1; }
  echo "GET $path: 200"
done
kubectl -n "$NS" get pods
say "smoke passed: the portal is at http://localhost:8080 while this port-forward runs"
