"""Every overlay renders with `kubectl kustomize`, its core objects validate strictly against the
Kubernetes schemas (kubernetes-validate, offline), and the operators' objects against the strict field
lists of tests/deploy/crd_fields.py. The base is what `make k8s-manifests` writes."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv
from referencing import Registry, Resource

from devtools import k8s_manifests
from tests.deploy import crd_fields
from tests.deploy.rendering import OVERLAYS, render

KUBERNETES = "1.30"  # the oldest Kubernetes the manifests promise (docs/operations.md)


@functools.cache
def core_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
    """kubernetes-validate's strict schema of a core kind, built once (its own `validate` rebuilds the
    registry on every call, which is most of its time)."""
    version = [v for v in kv.all_versions() if kv.major_minor(v) <= kv.major_minor(KUBERNETES)][-1]
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    group = api_version.split("/")[0].split(".")[0] + "-" if "/" in api_version else ""
    name = f"{kind.lower()}-{group}{api_version.split('/')[-1]}.json"
    try:
        schema = kv.schema_contents(f"{folder}/{name}", KUBERNETES)
    except FileNotFoundError:
        return None
    definitions = kv.schema_contents(f"{folder}/_definitions.json", KUBERNETES)
    registry: Registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def problems(doc: dict[str, Any]) -> list[str]:
    key = (doc["apiVersion"], doc["kind"])
    validator = core_validator(*key)
    if validator is None:
        schema = crd_fields.SCHEMAS.get(key)
        assert schema is not None, f"{key}: neither a core kind nor an operator's kind we describe"
        validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_every_object_of_every_overlay_validates_strictly():
    seen: set[str] = set()
    failures = {}
    for overlay in ("base", *OVERLAYS):
        docs = render(overlay)
        assert docs, f"{overlay} rendered nothing"
        for doc in docs:
            text = json.dumps(doc, sort_keys=True)
            if text in seen:  # the overlays share most objects with the base: each is checked once
                continue
            seen.add(text)
            if found := problems(doc):
                failures[f"{overlay}: {doc['kind']}/{doc['metadata']['name']}"] = found
    assert failures == {}


def test_the_validation_catches_an_unknown_field_and_a_wrong_type():
    deployment = next(d for d in render("base") if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two", "replica": 2}}
    assert any("replicas" in p for p in problems(broken))
    assert any("replica" in p and "replicas" not in p for p in problems(broken))
    cluster = next(d for d in render("base") if d["kind"] == "Cluster")
    typo = {**cluster, "spec": {**cluster["spec"], "instance": 3}}
    assert any("instance" in p for p in problems(typo))


def test_kubernetes_validate_knows_the_promised_version():
    assert kv.major_minor(kubernetes_validate.latest_version()) >= kv.major_minor(KUBERNETES)


def test_the_committed_base_is_what_the_generator_writes():
    stale = [
        name
        for name, text in k8s_manifests.files().items()
        if not (k8s_manifests.BASE / name).is_file() or (k8s_manifests.BASE / name).read_text() != text
    ]
    assert stale == [], f"run `make k8s-manifests`: {stale} differ from what the settings and services give"
    listed = yaml.safe_load((k8s_manifests.BASE / "kustomization.yaml").read_text())["resources"]
    assert set(k8s_manifests.files()) <= set(listed), "a generated file is missing from the base's resources"
