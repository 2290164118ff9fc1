"""The AsyncAPI 3.0 document of every published event, generated from the payload models, and the
rule that a committed event schema may only change additively within its major version."""

from __future__ import annotations

import copy
from typing import Any

from shared.events import EVENT_TYPES, Envelope, EventPayload

DEFAULT_EXCHANGE = "portal.events"


def event_schema(event_type: type[EventPayload]) -> dict[str, Any]:
    """The JSON Schema of one event's payload (self-contained, no external refs)."""
    schema = event_type.model_json_schema(ref_template="#/$defs/{model}")
    schema["title"] = event_type.__name__
    return schema


def message_name(event_type: type[EventPayload]) -> str:
    return f"{event_type.__name__}V{event_type.version}"


def asyncapi_document(*, exchange: str = DEFAULT_EXCHANGE, version: str = "1.0.0") -> dict[str, Any]:
    envelope = Envelope.model_json_schema()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type in sorted(EVENT_TYPES, key=lambda e: e.routing_key()):
        key = event_type.routing_key()
        name = message_name(event_type)
        payload = copy.deepcopy(envelope)
        payload["title"] = f"{event_type.__name__} envelope"
        payload["properties"]["payload"] = event_schema(event_type)
        payload["properties"]["event_type"] = {"const": event_type.event_type(), "type": "string"}
        payload["properties"]["event_version"] = {"const": event_type.version, "type": "integer"}
        messages[name] = {
            "name": name,
            "title": event_type.__name__,
            "summary": (event_type.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    "traceparent": {"type": "string", "description": "W3C trace context"},
                    "tracestate": {"type": "string", "description": "W3C trace context"},
                },
            },
            "payload": payload,
        }
        channels[key] = {
            "address": key,
            "description": f"Routing key on the `{exchange}` topic exchange",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": exchange, "type": "topic", "durable": True, "autoDelete": False},
                    "bindingVersion": "0.3.0",
                }
            },
        }
        operations[f"{'request' if event_type.command else 'publish'}{name}"] = {
            "action": "send",
            "summary": _operation_summary(event_type),
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Provider Portal events",
            "version": version,
            "description": (
                "Events published by the Provider Portal services on RabbitMQ. Every message is an "
                "envelope (event_id is the deduplication key) carrying the full state in `payload`. "
                "Delivery is at-least-once; a schema changes only additively within a major version. "
                "`<producer>.backfill.requested` messages are commands sent to the producer by its "
                "consumers: it answers by re-publishing the current state of every aggregate of the type."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {"host": "rabbitmq:5672", "protocol": "amqp", "protocolVersion": "0.9.1"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _operation_summary(event_type: type[EventPayload]) -> str:
    if event_type.command:
        # Sent to the producer by the services that consume its events; the producer receives it.
        return f"any consuming service sends {event_type.__name__} to {event_type.producer} (a command)"
    return f"{event_type.producer} publishes {event_type.__name__}"


def breaking_changes(old: dict[str, Any], new: dict[str, Any], *, path: str = "") -> list[str]:
    """What in `new` would break a consumer written against `old` (empty when only additive).

    Breaking: a property removed, its type changed, a property newly required or no longer required,
    an enum value removed. Additive: a new optional property, a new enum value, new descriptions.
    """
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        problems += _compare_property(old_prop, new_props[name], where)
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    problems += [f"{path}{n}: newly required" for n in sorted(new_required - old_required)]
    problems += [
        f"{path}{n}: no longer required" for n in sorted(old_required - new_required & set(new_props))
    ]
    return problems


def _compare_property(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    problems = []
    if _types(old) != _types(new):
        problems.append(f"{where}: type changed from {_types(old)} to {_types(new)}")
    if old.get("format") != new.get("format"):
        problems.append(f"{where}: format changed from {old.get('format')} to {new.get('format')}")
    if "enum" in old:
        removed = set(old["enum"]) - set(new.get("enum", old["enum"]))
        if removed:
            problems.append(f"{where}: enum values removed {sorted(removed)}")
    if "properties" in old:
        problems += breaking_changes(old, new, path=f"{where}.")
    return problems


def _types(prop: dict[str, Any]) -> list[str]:
    if "anyOf" in prop:
        return sorted(str(p.get("type", p.get("$ref", "?"))) for p in prop["anyOf"])
    return [str(prop.get("type", prop.get("$ref", "?")))]
