"""Security policy over the rendered manifests, in place of checkov.

checkov (PyPI) cannot sit beside the locked dependencies: installing it moves boto3/botocore (a runtime
dependency of shared's attachments) from 1.44 back to 1.35, and pytest, packaging and pip-audit's
cyclonedx back too. So the Kubernetes checks it would run on these manifests are written here, each
named after the checkov check it stands for, strictly and with no waiver: a manifest that fails one is
fixed, not excused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.rendering import OVERLAYS, containers, of_kind, pod_template, render

PINNED_BY_DIGEST = re.compile(r"^[^@:]+(:[^@]+)?@sha256:[0-9a-f]{64}$")


def pods(docs) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{d['kind']}/{d['metadata']['name']}", pod_template(d)["spec"])
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    ]


def container_problems(where: str, c: dict[str, Any]) -> list[str]:
    out = []
    sc = c.get("securityContext", {})
    checks = {
        "CKV_K8S_20 allowPrivilegeEscalation false": sc.get("allowPrivilegeEscalation") is False,
        "CKV_K8S_22 readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
        "CKV_K8S_23/40 runAsNonRoot with a high uid": sc.get("runAsNonRoot") is True
        and sc.get("runAsUser", 0) >= 10000,
        "CKV_K8S_28/37 drop ALL capabilities, add none": sc.get("capabilities") == {"drop": ["ALL"]},
        "CKV_K8S_31 seccomp RuntimeDefault": sc.get("seccompProfile") == {"type": "RuntimeDefault"},
        "CKV_K8S_16 not privileged": not sc.get("privileged", False),
        "CKV_K8S_10/11 CPU request and limit": {"cpu"} <= set(c["resources"].get("requests", {}))
        and {"cpu"} <= set(c["resources"].get("limits", {})),
        "CKV_K8S_12/13 memory request and limit": {"memory"} <= set(c["resources"].get("requests", {}))
        and {"memory"} <= set(c["resources"].get("limits", {})),
        "CKV_K8S_25 no hostPort": all("hostPort" not in p for p in c.get("ports", [])),
        "CKV_K8S_35 secrets as references, never literal": all(
            not re.search(r"(SECRET|KEY|PASSWORD|_URL)$", v["name"])
            or "valueFrom" in v
            or not re.search(r"://[^/@]*:[^/@]*@", v.get("value", ""))
            for v in c.get("env", [])
        ),
    }
    out += [f"{where}/{c['name']}: {name}" for name, ok in checks.items() if not ok]
    return out


def pod_problems(where: str, spec: dict[str, Any], *, long_running: bool) -> list[str]:
    checks = {
        "CKV_K8S_17/18/19 no host PID, IPC or network": not any(
            spec.get(k) for k in ("hostPID", "hostIPC", "hostNetwork")
        ),
        "CKV_K8S_38 no service account token": spec.get("automountServiceAccountToken") is False,
        "pod runAsNonRoot and seccomp": spec["securityContext"].get("runAsNonRoot") is True
        and spec["securityContext"].get("seccompProfile") == {"type": "RuntimeDefault"},
        "no hostPath volume": all("hostPath" not in v for v in spec.get("volumes", [])),
        "tmp is an emptyDir": any(
            v.get("emptyDir") is not None and v["name"] == "tmp" for v in spec.get("volumes", [])
        ),
    }
    if long_running:
        for c in spec["containers"]:
            checks[f"CKV_K8S_8/9 liveness and readiness probes on {c['name']}"] = (
                "livenessProbe" in c and "readinessProbe" in c
            )
    return [f"{where}: {name}" for name, ok in checks.items() if not ok]


def policy_problems(docs, *, production: bool) -> list[str]:
    problems = []
    for where, spec in pods(docs):
        problems += pod_problems(where, spec, long_running=where.startswith("Deployment/"))
        for c in [*spec.get("initContainers", []), *spec["containers"]]:
            problems += container_problems(where, c)
            image = c["image"]
            if image.endswith(":latest") or (":" not in image.rsplit("/", 1)[-1] and "@" not in image):
                problems.append(
                    f"{where}/{c['name']}: CKV_K8S_14 an image without a tag or with latest ({image})"
                )
            if production and not PINNED_BY_DIGEST.match(image):
                problems.append(
                    f"{where}/{c['name']}: CKV_K8S_43 production pins the image by digest ({image})"
                )
            if production and c.get("imagePullPolicy") == "Always":
                problems.append(f"{where}/{c['name']}: CKV_K8S_15 a digest needs no Always pull")
    for svc in of_kind(docs, "Service"):
        if svc["spec"].get("type", "ClusterIP") != "ClusterIP":
            problems.append(f"Service/{svc['metadata']['name']}: only the Ingress is exposed")
    for secret in of_kind(docs, "Secret"):
        problems.append(f"Secret/{secret['metadata']['name']}: secrets are referenced, never committed")
    namespace = of_kind(docs, "Namespace")
    if (
        not namespace
        or namespace[0]["metadata"]["labels"].get("pod-security.kubernetes.io/warn") != "restricted"
    ):
        problems.append("Namespace: Pod Security Admission warns on anything below restricted")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_rendered_manifests_meet_the_policy(overlay):
    assert policy_problems(render(overlay), production=overlay.startswith("production")) == []


def test_the_policy_catches_what_it_is_for():
    import copy

    docs = copy.deepcopy(list(render("production")))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    c = containers(deployment)[0]
    c["image"] = "provider-portal:latest"
    c["securityContext"]["readOnlyRootFilesystem"] = False
    del c["resources"]["limits"]
    del c["livenessProbe"]
    docs.append({"kind": "Secret", "metadata": {"name": "leaked"}, "data": {"k": "dg=="}})
    found = "\n".join(policy_problems(tuple(docs), production=True))
    for check in ("CKV_K8S_14", "CKV_K8S_43", "CKV_K8S_22", "CKV_K8S_10", "CKV_K8S_8/9", "Secret/leaked"):
        assert check in found
