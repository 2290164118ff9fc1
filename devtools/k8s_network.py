"""The base's NetworkPolicies (networkpolicies.yaml, written by devtools/k8s_manifests.py): deny
everything in the namespace, then allow only the flows the services' settings name."""

from __future__ import annotations

from typing import Any

from devtools.k8s_objects import (
    HTTP,
    METRICS,
    PART_OF,
    RENDER,
    SMTP_PORT,
    WORKER,
    selector,
    sends_mail,
    settings_of,
)
from devtools.services import SERVICES

# The pods of the components the operators run, by the labels the operators give them.
POSTGRES = {"cnpg.io/cluster": "portal-db"}
RABBITMQ = {"app.kubernetes.io/name": "portal-rabbitmq"}
COLLECTOR = {"app.kubernetes.io/name": "otel-collector"}
# Namespaces of the ingress controller and of Prometheus (each overlay may rename them).
INGRESS_NAMESPACE = {"kubernetes.io/metadata.name": "ingress-nginx"}
MONITORING_NAMESPACE = {"kubernetes.io/metadata.name": "monitoring"}
KEDA_NAMESPACE = {"kubernetes.io/metadata.name": "keda"}


def policy(
    name: str, pods: dict[str, Any], *, ingress: list[Any] | None, egress: list[Any] | None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": pods, "policyTypes": []}
    if ingress is not None:
        spec["policyTypes"].append("Ingress")
        spec["ingress"] = ingress
    if egress is not None:
        spec["policyTypes"].append("Egress")
        spec["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": PART_OF}},
        "spec": spec,
    }


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def operator_egress(pods: dict[str, str], port: int, dns: dict[str, Any], *more: int) -> list[dict[str, Any]]:
    """An operator's pods talk to their peers, to DNS, and over https to the Kubernetes API (the instance
    managers) and to object storage (backups): outside the namespace, so by address."""
    return [
        {"to": [{"podSelector": {"matchLabels": pods}}], "ports": tcp(port, *more)},
        dns,
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": tcp(443, 6443)},
    ]


def network_documents() -> list[dict[str, Any]]:
    """Deny everything in the namespace, then allow only the flows the settings name: the ingress
    controller to the gateway, the gateway to each API (GATEWAY_<SERVICE>_URL), every service process to
    PostgreSQL (DATABASE_URL), RabbitMQ (AMQP_URL), the collector (OTLP_ENDPOINT) and identity's JWKS
    (TOKEN_JWKS_URL); the worker of a service that sends mail to its SMTP relay (SMTP_PORT); Prometheus
    to the /metrics ports; DNS for all. tests/deploy checks these flows against the settings."""
    services = {"key": "portal.service", "operator": "In", "values": list(SERVICES)}
    service_pods = {"matchExpressions": [services]}
    portal_pods = {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}
    dns = {
        "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    monitoring = {"namespaceSelector": {"matchLabels": MONITORING_NAMESPACE}}
    apis = [f"{s}-api" for s in SERVICES]
    workers = [f"{s}-worker" for s in SERVICES]
    renders = [f"{s}-render" for s in SERVICES if "render_port" in settings_of(s).model_fields]
    docs = [
        policy("default-deny", {}, ingress=[], egress=[]),
        policy("dns", portal_pods, ingress=None, egress=[dns]),
        policy(
            "gateway",
            {"matchLabels": selector("gateway")},
            ingress=[
                {"from": [{"namespaceSelector": {"matchLabels": INGRESS_NAMESPACE}}], "ports": tcp(HTTP)},
                {"from": [monitoring], "ports": tcp(METRICS)},
            ],
            egress=[
                {
                    "to": [{"podSelector": {"matchLabels": selector(api)}} for api in apis],
                    "ports": tcp(HTTP),
                },
                {"to": [{"podSelector": {"matchLabels": COLLECTOR}}], "ports": tcp(4318)},
            ],
        ),
        *(
            policy(
                f"{service}-egress",
                {"matchLabels": {"portal.service": service}},
                ingress=None,
                egress=[
                    {"to": [{"podSelector": {"matchLabels": POSTGRES}}], "ports": tcp(5432)},
                    {"to": [{"podSelector": {"matchLabels": RABBITMQ}}], "ports": tcp(5672)},
                    {"to": [{"podSelector": {"matchLabels": COLLECTOR}}], "ports": tcp(4318)},
                    {"to": [{"podSelector": {"matchLabels": selector("identity-api")}}], "ports": tcp(HTTP)},
                ],
            )
            for service in SERVICES
        ),
        # The relay is outside the cluster (the council's, or a provider's), so by address and port: only
        # the workers, which run the senders (SEND_NOTIFICATIONS); an overlay may narrow the CIDR to the
        # relay's own.
        *(
            policy(
                f"{service}-smtp",
                {"matchLabels": selector(f"{service}-worker")},
                ingress=None,
                egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": tcp(SMTP_PORT)}],
            )
            for service in SERVICES
            if sends_mail(settings_of(service))
        ),
        policy(
            "apis-ingress",
            {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": apis}]},
            ingress=[
                {"from": [{"podSelector": {"matchLabels": selector("gateway")}}], "ports": tcp(HTTP)},
                {"from": [monitoring], "ports": tcp(METRICS)},
            ],
            egress=None,
        ),
        # Every service verifies tokens with identity's keys (TOKEN_JWKS_URL).
        policy(
            "identity-jwks",
            {"matchLabels": selector("identity-api")},
            ingress=[{"from": [{"podSelector": service_pods}], "ports": tcp(HTTP)}],
            egress=None,
        ),
        policy(
            "workers-metrics",
            {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": workers}]},
            ingress=[{"from": [monitoring], "ports": tcp(WORKER)}],
            egress=None,
        ),
        policy(
            "render-metrics",
            {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": renders}]},
            ingress=[{"from": [monitoring], "ports": tcp(RENDER)}],
            egress=None,
        ),
        # The operators' pods: reached by the services (and by their own peers and operator), never by
        # anything else in the namespace.
        policy(
            "postgres",
            {"matchLabels": POSTGRES},
            ingress=[
                {"from": [{"podSelector": service_pods}], "ports": tcp(5432)},
                {"from": [{"podSelector": {"matchLabels": POSTGRES}}], "ports": tcp(5432, 8000)},
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}}
                    ],
                    "ports": tcp(8000),
                },
                {"from": [monitoring], "ports": tcp(9187)},
            ],
            egress=operator_egress(POSTGRES, 5432, dns),
        ),
        policy(
            "rabbitmq",
            {"matchLabels": RABBITMQ},
            ingress=[
                {"from": [{"podSelector": service_pods}], "ports": tcp(5672)},
                {
                    "from": [{"podSelector": {"matchLabels": RABBITMQ}}],
                    "ports": tcp(4369, 5672, 15672, 25672),
                },
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "rabbitmq-system"}
                            }
                        }
                    ],
                    "ports": tcp(15672),
                },
                # KEDA reads the depth of reports.render over AMQP (keda.yaml).
                {"from": [{"namespaceSelector": {"matchLabels": KEDA_NAMESPACE}}], "ports": tcp(5672)},
                {"from": [monitoring], "ports": tcp(15692)},
            ],
            egress=operator_egress(RABBITMQ, 4369, dns, 5672, 25672),
        ),
        policy(
            "otel-collector",
            {"matchLabels": COLLECTOR},
            ingress=[{"from": [{"podSelector": portal_pods}], "ports": tcp(4318)}],
            egress=[dns, {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": tcp(443, 4317, 4318)}],
        ),
    ]
    return docs
