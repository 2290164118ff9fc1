"""The rendered manifests against what the code needs: every process has its probes, limits and hardened
security context; every setting it requires (derived from its settings class) is there and valid; the
NetworkPolicies allow exactly the flows its settings' URLs and SMTP port name; KEDA scales only the render
workers, on the queue the code uses; production pins its image by digest.

checkov would pull older releases of the locked runtime dependencies (boto3 1.44 -> 1.35) and of pytest
into the environment, so it is not a dev dependency: test_policy.py holds the checks we take from it,
written here, with no waiver.
"""

from __future__ import annotations

import base64
import copy
import functools
import importlib
import typing
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from devtools.services import SERVICES
from reports.render import RENDER_QUEUE
from shared.settings import SettingRefused
from tests.deploy.rendering import (
    OVERLAYS,
    containers,
    environment,
    matches,
    named,
    of_kind,
    pod_template,
    program,
    render,
    workload_containers,
)

DUMMY = base64.b64encode(bytes(range(32))).decode()  # passes every key's shape check (32 bytes, base64)


def settings_class(module: str) -> type[BaseSettings]:
    return importlib.import_module(f"{module}.config").Settings  # type: ignore[no-any-return]


def isolated(cls: type[BaseSettings]) -> type[BaseSettings]:
    """The class reading no variable of this process's environment (only what a test passes)."""
    return type(cls.__name__, (cls,), {"model_config": {**cls.model_config, "env_prefix": "K8S_TEST_NONE_"}})


def dummy(cls: type[BaseSettings], name: str) -> Any:
    field = cls.model_fields[name]
    if typing.get_origin(field.annotation) is typing.Literal:
        # A choice production refused: its default (messaging's development mail sink), so another one.
        return next(choice for choice in typing.get_args(field.annotation) if choice != field.default)
    annotation = str(field.annotation)
    if "list" in annotation:
        return [DUMMY]
    if "Url" in annotation or name.endswith("url"):
        return "https://portal.example.invalid"
    return DUMMY


@functools.cache
def required_settings(module: str) -> frozenset[str]:
    """The settings a production process cannot start without: start the class in production with
    nothing set, and add each setting it refuses for, until it starts."""
    cls = isolated(settings_class(module))
    given: dict[str, Any] = {"environment": "production"}
    required = {"environment"}
    for _ in range(len(cls.model_fields)):
        try:
            cls(**given)
        except ValidationError as exc:
            for err in exc.errors():
                refused = err.get("ctx", {}).get("error")
                name = refused.setting if isinstance(refused, SettingRefused) else str(err["loc"][0])
                assert name not in given, f"{module}: {name} refused even with a value: {err['msg']}"
                required.add(name)
                given[name] = dummy(cls, name)
        else:
            return frozenset(required)
    raise AssertionError(f"{module}: the settings never start")


def prefix(module: str) -> str:
    return str(settings_class(module).model_config.get("env_prefix", ""))


def test_the_derivation_finds_what_production_refuses_to_start_without():
    assert required_settings("identity") >= {
        "environment",
        "database_url",
        "amqp_url",
        "signing_key",
        "security_code_key",
        "delivery_key",
        "gateway_secret",
    }
    assert required_settings("gateway") == {"environment", "identity_secret", "public_url", "csrf_secret"}
    assert "attachments_s3_bucket" not in required_settings("claims")  # only with the s3 backend


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_has_every_setting_it_requires_with_valid_values(overlay):
    assert setting_problems(render(overlay)) == ({}, {})


def setting_problems(docs) -> tuple[dict[str, list[str]], dict[str, str]]:
    missing: dict[str, list[str]] = {}
    invalid: dict[str, str] = {}
    for workload, c in workload_containers(docs):
        module, _ = program(c)
        plain, secrets = environment(docs, c)
        here = f"{workload['metadata']['name']}/{c['name']}"
        p = prefix(module)
        names = set(plain) | {name for name, optional in secrets.items() if not optional}
        if lacking := sorted(p + s.upper() for s in required_settings(module) if p + s.upper() not in names):
            missing[here] = lacking
        cls = isolated(settings_class(module))
        values = {k.removeprefix(p).lower(): v for k, v in plain.items() if k.startswith(p)}
        unknown = [
            k
            for k in [*plain, *secrets]
            if k.startswith(p) and k.removeprefix(p).lower() not in cls.model_fields
        ]
        if unknown:  # the settings ignore a variable they do not know: a misspelt one would be lost
            invalid[here] = f"unknown settings {unknown}"
            continue
        values |= {
            k.removeprefix(p).lower(): dummy(cls, k.removeprefix(p).lower())
            for k in secrets
            if k.startswith(p)
        }
        try:
            cls(**values)
        except ValidationError as exc:
            invalid[here] = str(exc)
    return missing, invalid


def replaced(docs, kind: str, name: str, change) -> tuple[dict[str, Any], ...]:
    """The documents with one object changed (a deep copy: the rendering is shared)."""
    out = copy.deepcopy(list(docs))
    change(next(d for d in out if d["kind"] == kind and d["metadata"]["name"] == name))
    return tuple(out)


def test_a_missing_a_misspelt_or_a_malformed_setting_is_caught():
    docs = render("production")

    def drop_csrf(d):
        c = d["spec"]["template"]["spec"]["containers"][0]
        c["env"] = [v for v in c["env"] if v["name"] != "GATEWAY_CSRF_SECRET"]

    missing, _ = setting_problems(replaced(docs, "Deployment", "gateway", drop_csrf))
    assert missing == {"gateway/gateway": ["GATEWAY_CSRF_SECRET"]}
    _, invalid = setting_problems(
        replaced(docs, "ConfigMap", "portal-actuals", lambda d: d["data"].update(ACTUALS_HTTP_PROT="8000"))
    )
    assert "ACTUALS_HTTP_PROT" in invalid["actuals-api/api"]
    _, invalid = setting_problems(
        replaced(docs, "ConfigMap", "portal-claims", lambda d: d["data"].update(CLAIMS_LOG_LEVEL="LOUD"))
    )
    assert "log_level" in invalid["claims-api/api"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_long_running_process_listens_where_its_probes_and_services_look(overlay):
    docs = render(overlay)
    for workload in of_kind(docs, "Deployment"):
        for c in containers(workload):
            module, _ = program(c)
            plain, _ = environment(docs, c)
            p = prefix(module)
            ports = {port["name"]: port["containerPort"] for port in c["ports"]}
            assert plain[f"{p}HTTP_HOST"] == plain[f"{p}METRICS_HOST"] == "0.0.0.0"
            setting = {
                "http": "HTTP_PORT",
                "metrics": "METRICS_PORT",
                "worker": "WORKER_PORT",
                "render": "RENDER_PORT",
            }
            for name, number in ports.items():
                assert int(plain[p + setting[name]]) == number, (
                    f"{c['name']}: {name} is not {p + setting[name]}"
                )
            for kind, path in (
                ("livenessProbe", "/healthz"),
                ("readinessProbe", "/readyz"),
                ("startupProbe", "/healthz"),
            ):
                get = c[kind]["httpGet"]
                assert get["path"] == path and get["port"] in ports, f"{workload['metadata']['name']}: {kind}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_port_and_monitor_reaches_a_named_container_port(overlay):
    docs = render(overlay)
    pods = [
        (pod_template(w)["metadata"]["labels"], containers(w, init=False))
        for w in of_kind(docs, "Deployment")
    ]
    metrics_ports = set()
    for svc in of_kind(docs, "Service"):
        targets = [cs for labels, cs in pods if matches({"matchLabels": svc["spec"]["selector"]}, labels)]
        assert targets, f"Service {svc['metadata']['name']} selects no pod"
        names = {p["name"] for cs in targets for c in cs for p in c["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in names, f"Service {svc['metadata']['name']}: {port['targetPort']}"
    for monitor in of_kind(docs, "ServiceMonitor"):
        svc = [
            s
            for s in of_kind(docs, "Service")
            if matches(monitor["spec"]["selector"], s["metadata"]["labels"])
        ]
        assert len(svc) == 1, f"ServiceMonitor {monitor['metadata']['name']} selects {len(svc)} Services"
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] == "/metrics"
            assert endpoint["port"] in {p["name"] for p in svc[0]["spec"]["ports"]}
            metrics_ports.add((svc[0]["metadata"]["name"], endpoint["port"]))
    # Every /metrics listener is scraped: the API's and gateway's metrics port, each worker's own port.
    expected = {("gateway", "metrics")}
    for service in SERVICES:
        expected |= {(f"{service}-api", "metrics"), (f"{service}-worker", "worker")}
    expected.add(("reports-render", "render"))
    assert metrics_ports == expected


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_module_and_command_of_the_code_has_its_process(overlay):
    docs = render(overlay)
    running = {program(c) for _, c in workload_containers(docs)}
    expected = {("gateway", "")}
    for service in SERVICES:
        expected |= {(service, "api"), (service, "worker"), (service, "migrate"), (service, "bootstrap")}
    for service in SERVICES:
        definition = importlib.import_module(f"{service}.main").DEFINITION
        expected |= {(service, command) for command in definition.commands}
    assert running == expected


def test_migrations_run_as_a_job_per_service_that_bootstraps_then_migrates():
    docs = render("production")
    for service in SERVICES:
        job = named(docs, "Job", f"{service}-migrate")
        spec = pod_template(job)["spec"]
        assert [program(c) for c in spec["initContainers"]] == [(service, "bootstrap")]
        assert [program(c) for c in spec["containers"]] == [(service, "migrate")]
        assert spec["restartPolicy"] == "OnFailure" and job["spec"]["backoffLimit"] >= 3


# --- network flows ------------------------------------------------------------------------------------


def operator_pods(docs, host: str, port: int) -> tuple[dict[str, str], int]:
    """The pods behind a host the operators make, by the labels they give them."""
    for cluster in of_kind(docs, "Cluster"):  # CloudNativePG: <cluster>-rw is the primary
        if host == f"{cluster['metadata']['name']}-rw":
            return {"cnpg.io/cluster": cluster["metadata"]["name"]}, port
    for collector in of_kind(docs, "OpenTelemetryCollector"):  # <name>-collector
        if host == f"{collector['metadata']['name']}-collector":
            return {"app.kubernetes.io/name": host}, port
    raise AssertionError(f"{host}: no Service nor operator's resource of that name")


def destination(docs, url: str) -> tuple[dict[str, str], int]:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    services = [s for s in of_kind(docs, "Service") if s["metadata"]["name"] == host]
    if not services:
        return operator_pods(docs, host, port)
    svc = services[0]
    target = next(p["targetPort"] for p in svc["spec"]["ports"] if p["port"] == port)
    for w in of_kind(docs, "Deployment"):
        labels = pod_template(w)["metadata"]["labels"]
        if matches({"matchLabels": svc["spec"]["selector"]}, labels):
            number = next(
                p["containerPort"] for c in containers(w) for p in c.get("ports", []) if p["name"] == target
            )
            return labels, number
    raise AssertionError(f"{url}: the Service selects no pod")


def needed_flows(docs, workload, c) -> set[tuple[frozenset[tuple[str, str]], int]]:
    """Where the process connects, from its settings: each URL setting's host (a Service, or an operator's
    pods), its database (the cluster its migrations Job bootstraps on) and its broker."""
    module, _ = program(c)
    plain, secrets = environment(docs, c)
    p = prefix(module)
    flows = set()
    for name, value in plain.items():
        if name.startswith(p) and (name.endswith("_URL") or name.endswith("_ENDPOINT")) and "://" in value:
            if name in (f"{p}PUBLIC_URL", f"{p}PORTAL_URL"):  # the browsers' address, not a connection
                continue
            labels, port = destination(docs, value)
            flows.add((frozenset(labels.items()), port))
    if f"{p}DATABASE_URL" in secrets:
        job = named(docs, "Job", f"{module}-migrate")
        bootstrap = pod_template(job)["spec"]["initContainers"][0]
        admin = next(v["value"] for v in bootstrap["env"] if v["name"] == "PORTAL_ADMIN_DSN")
        labels, port = operator_pods(docs, urlsplit(admin).hostname or "", urlsplit(admin).port or 5432)
        flows.add((frozenset(labels.items()), port))
        if "PORTAL_ADMIN_DSN" in {v["name"] for v in c.get("env", [])}:
            flows.add((frozenset(labels.items()), port))
    if f"{p}AMQP_URL" in secrets:
        (broker,) = of_kind(docs, "RabbitmqCluster")
        flows.add((frozenset({"app.kubernetes.io/name": broker["metadata"]["name"]}.items()), 5672))
    return flows


def is_dns(rule: dict[str, Any]) -> bool:
    return {p["port"] for p in rule["ports"]} == {53} and all(
        peer.get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"} for peer in rule["to"]
    )


def rules(docs, labels: dict[str, str], direction: str) -> list[dict[str, Any]]:
    kind = direction.capitalize()
    return [
        rule
        for policy in of_kind(docs, "NetworkPolicy")
        if kind in policy["spec"]["policyTypes"] and matches(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get(direction, [])
    ]


def allows(rule: dict[str, Any], peer_key: str, labels: dict[str, str], port: int) -> bool:
    return port in {p["port"] for p in rule["ports"]} and any(
        "namespaceSelector" not in peer and "podSelector" in peer and matches(peer["podSelector"], labels)
        for peer in rule[peer_key]
    )


@pytest.mark.parametrize("overlay", ["production", "production-payments-db"])
def test_network_policies_allow_exactly_the_flows_the_settings_name(overlay):
    assert flow_problems(render(overlay)) == []


def test_a_missing_or_an_unneeded_flow_is_caught():
    docs = render("production")
    without_db = replaced(docs, "NetworkPolicy", "claims-egress", lambda d: d["spec"]["egress"].pop(0))
    assert any(
        "claims-api may not reach {'cnpg.io/cluster': 'portal-db'}:5432" in p
        for p in flow_problems(without_db)
    )
    extra = {
        "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "portal-db"}}}],
        "ports": [{"protocol": "TCP", "port": 5432}],
    }
    gateway_to_db = replaced(docs, "NetworkPolicy", "gateway", lambda d: d["spec"]["egress"].append(extra))
    assert any(p.startswith("gateway may reach") for p in flow_problems(gateway_to_db))
    open_api = {"from": [{"podSelector": {}}], "ports": [{"protocol": "TCP", "port": 8000}]}
    anyone = replaced(docs, "NetworkPolicy", "apis-ingress", lambda d: d["spec"]["ingress"].append(open_api))
    assert any("admits {'podSelector': {}}" in p for p in flow_problems(anyone))


def flow_problems(docs) -> list[str]:
    deny = [p for p in of_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"] == {}]
    assert deny and deny[0]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert deny[0]["spec"]["ingress"] == [] and deny[0]["spec"]["egress"] == []

    calls: list[tuple[dict[str, str], dict[str, str], int]] = []  # (from pod, to pod, port)
    # Every pod of the namespace: ours, and the operators' by the labels they give them.
    everyone = [pod_template(w)["metadata"]["labels"] for w in docs if w["kind"] in ("Deployment", "Job")]
    everyone += [{"cnpg.io/cluster": c["metadata"]["name"]} for c in of_kind(docs, "Cluster")]
    everyone += [{"app.kubernetes.io/name": r["metadata"]["name"]} for r in of_kind(docs, "RabbitmqCluster")]
    everyone += [
        {"app.kubernetes.io/name": f"{o['metadata']['name']}-collector"}
        for o in of_kind(docs, "OpenTelemetryCollector")
    ]
    problems = []
    for workload, c in workload_containers(docs):
        labels = pod_template(workload)["metadata"]["labels"]
        needed = needed_flows(docs, workload, c) | {
            flow
            for other in containers(workload)
            if other is not c
            for flow in needed_flows(docs, workload, other)
        }
        egress = [r for r in rules(docs, labels, "egress") if not is_dns(r)]
        for target, port in needed:
            calls.append((labels, dict(target), port))
            if not any(allows(r, "to", dict(target), port) for r in egress):
                problems.append(f"{workload['metadata']['name']} may not reach {dict(target)}:{port}")
        for rule in egress:
            for peer in rule["to"]:
                for pod in everyone:
                    for port in (p["port"] for p in rule["ports"]):
                        opened = allows({"ports": rule["ports"], "to": [peer]}, "to", pod, port)
                        if opened and (frozenset(pod.items()), port) not in needed:
                            problems.append(f"{workload['metadata']['name']} may reach {peer} unneeded")
    # Ingress to our processes: from the callers found above, Prometheus on the metrics ports, and the
    # ingress controller on the gateway's http port; nothing else.
    scraped = {
        (svc["metadata"]["name"], p["port"])
        for svc in of_kind(docs, "Service")
        for p in svc["spec"]["ports"]
        if p["name"] in {"metrics", "worker", "render"}
    }
    for workload in of_kind(docs, "Deployment"):
        name = workload["metadata"]["name"]
        labels = pod_template(workload)["metadata"]["labels"]
        ingress = rules(docs, labels, "ingress")
        callers = [(src, port) for src, dst, port in calls if dst.items() <= labels.items()]
        for src, port in callers:
            if not any(allows(r, "from", src, port) for r in ingress):
                problems.append(f"{name} refuses {src}:{port}")
        for rule in ingress:
            for peer in rule["from"]:
                ports = {p["port"] for p in rule["ports"]}
                namespace = (
                    peer.get("namespaceSelector", {})
                    .get("matchLabels", {})
                    .get("kubernetes.io/metadata.name")
                )
                if namespace == "monitoring":
                    assert {(name, port) for port in ports} <= scraped, f"{name}: monitoring on {ports}"
                elif namespace == "ingress-nginx":
                    assert name == "gateway" and ports == {8000}, f"{name}: the ingress controller on {ports}"
                elif namespace is not None or "podSelector" not in peer:
                    problems.append(f"{name} admits {peer} from outside the namespace")
                else:
                    for pod in everyone:
                        for port in ports:
                            opened = allows({"ports": rule["ports"], "from": [peer]}, "from", pod, port)
                            if opened and (pod, port) not in callers:
                                problems.append(f"{name} admits {peer} on {port}, which {pod} does not need")
    return problems


def outside_ports(docs, c) -> set[int]:
    """The ports a process connects to outside the cluster, from its settings: a mail sender's SMTP relay
    (the worker runs the senders, unless SEND_NOTIFICATIONS is false)."""
    module, command = program(c)
    plain, _ = environment(docs, c)
    p = prefix(module)
    fields = settings_class(module).model_fields
    if command != "worker" or "smtp_host" not in fields or plain.get(f"{p}EMAIL_BACKEND") != "smtp":
        return set()
    if plain.get(f"{p}SEND_NOTIFICATIONS", "true").lower() == "false":
        return set()
    return {int(plain.get(f"{p}SMTP_PORT", fields["smtp_port"].default))}


def outside_problems(docs) -> list[str]:
    """Egress by address (ipBlock) for our processes: exactly the ports their settings name."""
    problems = []
    for workload, _ in workload_containers(docs):  # a Job's containers share its pod: checked once each
        labels = pod_template(workload)["metadata"]["labels"]
        opened = {
            port["port"]
            for rule in rules(docs, labels, "egress")
            if any("ipBlock" in peer for peer in rule["to"])
            for port in rule["ports"]
        }
        needed = set().union(*(outside_ports(docs, other) for other in containers(workload)))
        problem = f"{workload['metadata']['name']} may reach outside on {opened}, needs {needed}"
        if opened != needed and problem not in problems:
            problems.append(problem)
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_mail_senders_reach_outside_and_only_on_their_smtp_port(overlay):
    docs = render(overlay)
    assert outside_problems(docs) == []
    assert any(outside_ports(docs, c) for _, c in workload_containers(docs))  # messaging's worker sends


def test_a_missing_or_a_wrong_smtp_flow_is_caught():
    docs = render("production")
    moved = replaced(
        docs, "ConfigMap", "portal-messaging", lambda d: d["data"].update(MESSAGING_SMTP_PORT="465")
    )
    assert "messaging-worker may reach outside on {587}, needs {465}" in outside_problems(moved)
    everyone = replaced(
        docs, "NetworkPolicy", "messaging-smtp", lambda d: d["spec"].update(podSelector={"matchLabels": {}})
    )
    assert any(p.startswith("gateway may reach outside on {587}") for p in outside_problems(everyone))


def test_payments_on_its_own_cluster_reaches_only_that_cluster():
    docs = render("production-payments-db")
    payments = named(docs, "Deployment", "payments-api")
    labels = pod_template(payments)["metadata"]["labels"]
    egress = rules(docs, labels, "egress")
    assert any(allows(r, "to", {"cnpg.io/cluster": "portal-payments-db"}, 5432) for r in egress)
    assert not any(allows(r, "to", {"cnpg.io/cluster": "portal-db"}, 5432) for r in egress)
    shared_db = rules(docs, {"cnpg.io/cluster": "portal-db"}, "ingress")
    assert not any(allows(r, "from", labels, 5432) for r in shared_db)


# --- scaling ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_only_the_render_workers_on_the_queue_the_code_uses(overlay):
    docs = render(overlay)
    (scaled,) = of_kind(docs, "ScaledObject")
    target = named(docs, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
    assert {program(c) for c in containers(target)} == {("reports", "render")}
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq" and trigger["metadata"]["queueName"] == RENDER_QUEUE
    auth = named(docs, "TriggerAuthentication", trigger["authenticationRef"]["name"])
    (ref,) = auth["spec"]["secretTargetRef"]
    render_container = containers(target)[0]
    _, secrets = environment(docs, render_container)
    assert ref["key"] == "REPORTS_AMQP_URL" and ref["key"] in secrets  # the broker the workers use
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
    # HPAs on CPU for the APIs and the gateway only: never on what KEDA drives, nor on the workers.
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(docs, "HorizontalPodAutoscaler")}
    assert hpa_targets == {"gateway", *(f"{s}-api" for s in SERVICES)}
    for h in of_kind(docs, "HorizontalPodAutoscaler"):
        assert [m["resource"]["name"] for m in h["spec"]["metrics"]] == ["cpu"]


def test_dev_runs_one_of_everything_and_production_is_highly_available():
    dev, prod = render("dev"), render("production")
    assert {d["spec"]["replicas"] for d in of_kind(dev, "Deployment")} == {1}
    assert named(dev, "Cluster", "portal-db")["spec"]["instances"] == 1
    assert named(dev, "RabbitmqCluster", "portal-rabbitmq")["spec"]["replicas"] == 1
    # The count of each production Deployment: its own, or its autoscaler's floor (then it names none,
    # so that an apply never resets what the autoscaler chose).
    floors = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["minReplicas"]
        for h in of_kind(prod, "HorizontalPodAutoscaler")
    }
    floors |= {
        k["spec"]["scaleTargetRef"]["name"]: k["spec"]["minReplicaCount"]
        for k in of_kind(prod, "ScaledObject")
    }
    for d in of_kind(prod, "Deployment"):
        name = d["metadata"]["name"]
        assert ("replicas" in d["spec"]) != (name in floors), (
            f"{name}: replicas and an autoscaler, or neither"
        )
        assert d["spec"].get("replicas", floors.get(name, 0)) >= 2, f"{name} is not highly available"
    assert named(prod, "Cluster", "portal-db")["spec"]["instances"] == 3
    assert named(prod, "RabbitmqCluster", "portal-rabbitmq")["spec"]["replicas"] == 3  # quorum queues
    assert min(h["spec"]["minReplicas"] for h in of_kind(prod, "HorizontalPodAutoscaler")) >= 2
    assert {
        p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for p in of_kind(prod, "PodDisruptionBudget")
    } == {d["metadata"]["name"] for d in of_kind(prod, "Deployment")}


def test_production_serves_https_through_cert_manager_and_trusts_only_its_proxies():
    docs = render("production")
    (ingress,) = of_kind(docs, "Ingress")
    assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
    hosts = {h for tls in ingress["spec"]["tls"] for h in tls["hosts"]}
    assert {r["host"] for r in ingress["spec"]["rules"]} == hosts
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "gateway"
    config = named(docs, "ConfigMap", "portal-gateway")["data"]
    assert config["GATEWAY_PUBLIC_URL"] == f"https://{next(iter(hosts))}"
    assert config["GATEWAY_TRUSTED_PROXIES"]
    assert config["GATEWAY_ENVIRONMENT"] == "production"
