"""The event contract: committed schemas (docs/events) only change additively within a major version,
every published event has a committed schema, and docs/asyncapi.json is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.asyncapi import asyncapi_document, breaking_changes, event_schema
from shared.events import EVENT_TYPES

DOCS = Path(__file__).resolve().parents[2] / "docs"
COMMITTED = {p.stem: json.loads(p.read_text()) for p in (DOCS / "events").glob("*.json")}


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda e: e.routing_key())
def test_published_schema_is_compatible_with_the_committed_one(event_type):
    key = event_type.routing_key()
    assert key in COMMITTED, f"{key} has no committed schema: run `make asyncapi` and commit docs/events"
    assert breaking_changes(COMMITTED[key], event_schema(event_type)) == []


def test_no_committed_event_was_dropped_within_its_major_version():
    published = {e.routing_key() for e in EVENT_TYPES}
    assert set(COMMITTED) <= published


def test_asyncapi_document_in_docs_is_current():
    assert json.loads((DOCS / "asyncapi.json").read_text()) == asyncapi_document(), "run `make asyncapi`"


def test_asyncapi_document_describes_every_event():
    doc = asyncapi_document()
    assert doc["asyncapi"].startswith("3.")
    for event_type in EVENT_TYPES:
        channel = doc["channels"][event_type.routing_key()]
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "portal.events"
        message = next(iter(channel["messages"].values()))
        name = message["$ref"].rsplit("/", 1)[-1]
        payload = doc["components"]["messages"][name]["payload"]
        assert set(payload["required"]) >= {"event_id", "event_type", "occurred_at", "payload"}
        for field, spec in payload["properties"]["payload"]["properties"].items():
            assert spec.get("description"), f"{event_type.__name__}.{field} has no description"


BASE = {
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "total": {"type": "string"},
    },
    "required": ["id", "status"],
}


def changed(**edits):
    schema = json.loads(json.dumps(BASE))
    for key, value in edits.items():
        if key == "required":
            schema["required"] = value
        elif value is None:
            del schema["properties"][key]
        else:
            schema["properties"][key] = value
    return schema


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (changed(id=None), "id: removed"),
        (changed(total={"type": "number"}), "total: type changed"),
        (changed(id={"type": "string"}), "id: format changed"),
        (changed(status={"type": "string", "enum": ["open"]}), "status: enum values removed"),
        (changed(required=["id", "status", "total"]), "total: newly required"),
        (changed(required=["id"]), "status: no longer required"),
    ],
)
def test_breaking_changes_are_detected(new, expected):
    problems = breaking_changes(BASE, new)
    assert any(expected in p for p in problems), problems


def test_additive_changes_are_allowed():
    new = changed(
        note={"type": "string", "description": "new optional field"},
        status={"type": "string", "enum": ["open", "closed", "cancelled"]},
    )
    assert breaking_changes(BASE, new) == []
