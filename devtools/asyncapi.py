"""`make asyncapi`: write docs/asyncapi.json and the committed event schemas in docs/events/.

A committed schema is only overwritten by a compatible one (additive within the major version); an
incompatible change is refused with the list of what breaks: publish it under a new major version.
"""

from __future__ import annotations

import json
import sys

from devtools.envfile import ROOT
from shared.asyncapi import asyncapi_document, breaking_changes, event_schema
from shared.events import EVENT_TYPES

DOCS = ROOT / "docs"
EVENTS = DOCS / "events"


def dump(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def main() -> None:
    EVENTS.mkdir(parents=True, exist_ok=True)
    refused = []
    for event_type in EVENT_TYPES:
        path = EVENTS / f"{event_type.routing_key()}.json"
        schema = event_schema(event_type)
        if path.exists():
            problems = breaking_changes(json.loads(path.read_text()), schema)
            if problems:
                refused.append(f"{event_type.routing_key()}: " + "; ".join(problems))
                continue
        path.write_text(dump(schema))
    (DOCS / "asyncapi.json").write_text(dump(asyncapi_document()))
    if refused:
        sys.stderr.write("incompatible event schema changes (publish a new major version):\n")
        sys.stderr.write("\n".join(refused) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
