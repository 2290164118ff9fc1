"""The manifests as Kubernetes receives them: `kubectl kustomize` of each overlay (rendered once per
process), and the walks over them the deploy tests share."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "production", "production-payments-db")
WORKLOADS = ("Deployment", "Job")


def render(overlay: str) -> tuple[dict[str, Any], ...]:
    """The overlay's documents; `base` renders the base alone."""
    return render_all()[overlay]


@functools.cache
def render_all() -> dict[str, tuple[dict[str, Any], ...]]:
    """The base and every overlay, rendered once per test process, the kubectl runs side by side."""
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize built in) is needed to render deploy/k8s"
    runs = {
        overlay: subprocess.Popen(
            [kubectl, "kustomize", str(K8S / "base" if overlay == "base" else K8S / "overlays" / overlay)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for overlay in ("base", *OVERLAYS)
    }
    out = {}
    for overlay, run in runs.items():
        stdout, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, f"{overlay} does not render: {stderr}"
        out[overlay] = tuple(d for d in yaml.load_all(stdout, Loader=yaml.CSafeLoader) if d)
    return out


def of_kind(docs: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]


def containers(workload: dict[str, Any], *, init: bool = True) -> list[dict[str, Any]]:
    spec = pod_template(workload)["spec"]
    return [*(spec.get("initContainers", []) if init else []), *spec["containers"]]


def workload_containers(docs: tuple[dict[str, Any], ...]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for workload in (d for d in docs if d["kind"] in WORKLOADS):
        for c in containers(workload):
            yield workload, c


def program(c: dict[str, Any]) -> tuple[str, str]:
    """(module, command) of a container: `python -m gateway` is ("gateway", "")."""
    command = c["command"]
    assert command[:2] == ["python", "-m"], f"{c['name']}: {command} is not one of the image's entry commands"
    return command[2], command[3] if len(command) > 3 else ""


def environment(
    docs: tuple[dict[str, Any], ...], c: dict[str, Any]
) -> tuple[dict[str, str], dict[str, bool]]:
    """The container's plain variables (its ConfigMaps' data and literal values), and its secret
    references: variable -> optional."""
    plain: dict[str, str] = {}
    secrets: dict[str, bool] = {}
    for source in c.get("envFrom", []):
        assert "configMapRef" in source, f"{c['name']}: envFrom other than a ConfigMap hides what it sets"
        plain.update(named(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for var in c.get("env", []):
        if "value" in var:
            plain[var["name"]] = var["value"]
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            secrets[var["name"]] = bool(ref.get("optional", False))
    return plain, secrets


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes' label selector semantics (matchLabels and matchExpressions)."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, op, values = expression["key"], expression["operator"], expression.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
