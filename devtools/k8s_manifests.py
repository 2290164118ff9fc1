"""`make k8s-manifests`: write deploy/k8s/base/ from the services' declarations and settings classes.

The base is generated, not written by hand, so that a new service (devtools.services) or a new secret
setting reaches the manifests; tests/deploy/test_manifests.py fails when the committed files are not what
this writes. Each process's settings are checked there against the settings classes independently.

Ports: every process listens on all addresses of its pod (HTTP_HOST / METRICS_HOST 0.0.0.0): the API on
8000 with its /metrics on 9100, a worker's /healthz, /readyz and /metrics on 9101, a render worker's on 9102.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from devtools.k8s_network import network_documents
from devtools.k8s_objects import (
    BASE,
    DB_HOST,
    HTTP,
    IDENTITY_HASH_WORKERS,
    METRICS,
    OTLP,
    PORTAL_URL,
    RENDER,
    RENDER_POOL_MAX,
    SMTP_HOST,
    SMTP_PORT,
    WORKER,
    config_map,
    container,
    deployment,
    dump,
    env_from_secrets,
    hpa,
    labels,
    pdb,
    pod_spec,
    resources,
    sends_mail,
    service_monitor,
    service_object,
    settings_of,
)
from devtools.services import SERVICES


def service_documents(service: str) -> list[dict[str, Any]]:
    # The settings class only (not the service's composition root, which imports its whole program):
    # a service that runs render workers (`python -m <service> render`) has a render_port setting.
    settings_cls = settings_of(service)
    prefix = service.upper() + "_"
    config, secret = f"portal-{service}", f"portal-{service}"
    data = {
        f"{prefix}ENVIRONMENT": "production",
        f"{prefix}HTTP_HOST": "0.0.0.0",
        f"{prefix}HTTP_PORT": str(HTTP),
        f"{prefix}METRICS_HOST": "0.0.0.0",
        f"{prefix}METRICS_PORT": str(METRICS),
        f"{prefix}WORKER_PORT": str(WORKER),
        f"{prefix}LOG_JSON": "true",
        f"{prefix}OTLP_ENDPOINT": OTLP,
        f"{prefix}TOKEN_JWKS_URL": f"http://identity-api:{HTTP}/.well-known/jwks.json",
    }
    if "render_port" in settings_cls.model_fields:
        data[f"{prefix}RENDER_PORT"] = str(RENDER)
    if service == "identity":
        data[f"{prefix}HASH_WORKERS"] = str(IDENTITY_HASH_WORKERS)
    data |= mail_settings(prefix, settings_cls)
    env = env_from_secrets(prefix, secret, settings_cls)
    api_cpu = f"{IDENTITY_HASH_WORKERS}" if service == "identity" else "1"
    api_name, worker_name = f"{service}-api", f"{service}-worker"
    api = container(
        "api",
        ["python", "-m", service, "api"],
        env=env,
        config=config,
        ports={"http": HTTP, "metrics": METRICS},
        probe_port="http",
        resources=resources("100m", "256Mi", api_cpu, "512Mi"),
    )
    worker = container(
        "worker",
        ["python", "-m", service, "worker"],
        env=env,
        config=config,
        ports={"worker": WORKER},
        probe_port="worker",
        resources=resources("100m", "256Mi", "1", "512Mi"),
    )
    docs: list[dict[str, Any]] = [
        config_map(config, service, data),
        deployment(service, api_name, pod_spec([api]), None),
        service_object(service, api_name, {"http": HTTP, "metrics": METRICS}),
        pdb(service, api_name),
        hpa(service, api_name, low=2, high=6),
        service_monitor(service, api_name, "metrics"),
        deployment(service, worker_name, pod_spec([worker]), 2),
        service_object(service, worker_name, {"worker": WORKER}),
        pdb(service, worker_name),
        service_monitor(service, worker_name, "worker"),
        migrations_job(service, config, env),
    ]
    if "render_port" in settings_cls.model_fields:
        render_name = f"{service}-render"
        render = container(
            "render",
            ["python", "-m", service, "render"],
            # One job at a time (prefetch 1): a small pool, so that KEDA's ten workers take 30 connections
            # of PostgreSQL, not 100 (docs/scaling.md counts them).
            env=[*env, {"name": f"{prefix}DB_POOL_MAX", "value": str(RENDER_POOL_MAX)}],
            config=config,
            ports={"render": RENDER},
            probe_port="render",
            resources=resources("250m", "256Mi", "1", "768Mi"),
        )
        docs += [
            deployment(service, render_name, pod_spec([render]), None),
            service_object(service, render_name, {"render": RENDER}),
            pdb(service, render_name),
            service_monitor(service, render_name, "render"),
        ]
    return docs


def mail_settings(prefix: str, settings_cls: type) -> dict[str, str]:
    """A service that sends mail sends it through an SMTP relay in production (the development sink is
    refused there), with links to the portal's https address (each overlay names the real one)."""
    if not sends_mail(settings_cls):
        return {}
    return {
        f"{prefix}EMAIL_BACKEND": "smtp",
        f"{prefix}SMTP_HOST": SMTP_HOST,
        f"{prefix}SMTP_PORT": str(SMTP_PORT),
        f"{prefix}PORTAL_URL": PORTAL_URL,
    }


def migrations_job(service: str, config: str, env: list[dict[str, Any]]) -> dict[str, Any]:
    """`bootstrap` (role and schema, with the cluster's superuser) then `migrate` (schema, exchange, queues):
    both idempotent, and migrations take an advisory lock, so the Job is safe to re-run and to overlap."""
    name = f"{service}-migrate"
    admin_env = [
        {"name": "PORTAL_ADMIN_DSN", "value": f"postgresql://{DB_HOST}:5432/postgres"},
        # asyncpg reads the superuser's name and password from these (the CloudNativePG superuser secret).
        {"name": "PGUSER", "valueFrom": {"secretKeyRef": {"name": "portal-db-superuser", "key": "username"}}},
        {
            "name": "PGPASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "portal-db-superuser", "key": "password"}},
        },
    ]
    limits = resources("100m", "128Mi", "500m", "256Mi")
    bootstrap = container(
        "bootstrap",
        ["python", "-m", service, "bootstrap"],
        env=[*env, *admin_env],
        config=config,
        ports={},
        probe_port=None,
        resources=limits,
    )
    migrate = container(
        "migrate",
        ["python", "-m", service, "migrate"],
        env=env,
        config=config,
        ports={},
        probe_port=None,
        resources=limits,
    )
    spec = pod_spec([migrate], init=[bootstrap])
    spec["restartPolicy"] = "OnFailure"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": {**labels(service, name), "portal.role": "migrations"}},
        "spec": {
            "backoffLimit": 6,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": {**labels(service, name), "portal.role": "migrations"}},
                "spec": spec,
            },
        },
    }


def gateway_documents() -> list[dict[str, Any]]:
    from gateway.config import SERVICES as UPSTREAMS
    from gateway.config import Settings

    data = {
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_HTTP_HOST": "0.0.0.0",
        "GATEWAY_HTTP_PORT": str(HTTP),
        "GATEWAY_METRICS_HOST": "0.0.0.0",
        "GATEWAY_METRICS_PORT": str(METRICS),
        "GATEWAY_LOG_JSON": "true",
        "GATEWAY_OTLP_ENDPOINT": OTLP,
        # Each overlay names the portal's address (production refuses to start without an https one).
        "GATEWAY_PUBLIC_URL": "https://portal.example.invalid",
        **{f"GATEWAY_{name.upper()}_URL": f"http://{name}-api:{HTTP}" for name in UPSTREAMS},
    }
    name = "gateway"
    gw = container(
        "gateway",
        ["python", "-m", "gateway"],
        env=env_from_secrets("GATEWAY_", "portal-gateway", Settings),
        config="portal-gateway",
        ports={"http": HTTP, "metrics": METRICS},
        probe_port="http",
        resources=resources("250m", "256Mi", "1", "512Mi"),
    )
    return [
        config_map("portal-gateway", name, data),
        deployment(name, name, pod_spec([gw]), None),
        service_object(name, name, {"http": HTTP, "metrics": METRICS}),
        pdb(name, name),
        hpa(name, name, low=2, high=10),
        service_monitor(name, name, "metrics"),
    ]


def files() -> dict[str, str]:
    out = {"gateway.yaml": dump(gateway_documents()), "networkpolicies.yaml": dump(network_documents())}
    for service in SERVICES:
        out[f"{service}.yaml"] = dump(service_documents(service))
    return out


def main() -> None:
    for name, text in files().items():
        (BASE / name).write_text(text)
        sys.stdout.write(f"wrote {Path('deploy/k8s/base') / name}\n")


if __name__ == "__main__":
    main()
