"""docs/finance-integration.md against the contract and the example: every event the example binds is
described, every example envelope of the guide is a valid event, and the ledger rows the guide shows are
what the example writes for its remittance."""

from __future__ import annotations

import csv
import json
import re
from itertools import pairwise

from shared.events import BY_ROUTING_KEY
from shared.events.envelope import Envelope
from tests.payments.test_finance_example import ROOT, example_module

GUIDE = ROOT / "docs" / "finance-integration.md"


def test_the_guide_names_every_bound_key_and_its_examples_are_valid_events():
    """Every ```json block of the guide that starts with an envelope validates as one, and its payload
    as the event its event_type and event_version name."""
    text = GUIDE.read_text()
    for key in example_module().ROUTING_KEYS:
        assert f"`{key}`" in text, f"the guide does not describe {key}"
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    envelopes = [json.loads(b) for b in blocks if b.lstrip().startswith('{\n  "event_id"')]
    seen = set()
    for raw in envelopes:
        envelope = Envelope.model_validate(raw)
        event_type = BY_ROUTING_KEY[envelope.routing_key]
        event_type.model_validate(envelope.payload)
        assert set(envelope.payload) <= set(event_type.model_fields), envelope.routing_key
        seen.add(envelope.routing_key)
    assert seen == set(example_module().ROUTING_KEYS), "one example envelope per event"


def test_the_rows_the_guide_shows_are_what_the_example_writes_for_the_envelope_before_them():
    blocks = re.findall(r"```(json|csv)\n(.*?)```", GUIDE.read_text(), flags=re.S)
    shown = 0
    for (kind, text), (next_kind, rows) in pairwise(blocks):
        if kind == "json" and next_kind == "csv":
            written = example_module().posting_rows(json.loads(text))
            assert list(csv.DictReader(rows.splitlines())) == written
            shown += 1
    assert shown == 6, "each event's example is followed by its rows"
