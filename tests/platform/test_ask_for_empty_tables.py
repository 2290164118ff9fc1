"""A worker's start-up request for backfills (shared.backfill.ask_for_empty_tables), on the real
database: one command per producer and aggregate type of each empty table, in the service's outbox, and
none for a table that holds rows. Its own schema (tests/support/kit_schema.py), so that no other worker
of the run adds to the outbox it counts."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from reports.consumers import SUBSCRIPTIONS
from shared.backfill import ask_for_empty_tables
from shared.bus import Outbox
from shared.migrations import OUTBOX_INBOX
from tests.support.kit_schema import kit_schema

BACKFILLED = {
    "invoice": (("payments", "invoice"), ("payments", "credit_note")),
    "authority": (("identity", "authority"),),
}


async def test_each_empty_table_asks_each_of_its_producers_once_and_a_filled_one_asks_nothing(env):
    asked_about: list[list[str]] = []

    async def only_invoices_empty(conn: asyncpg.Connection, *, tables: Sequence[str]) -> list[str]:
        asked_about.append(list(tables))
        return ["invoice"]  # as the store would find them: the invoices empty, the authorities filled

    async with kit_schema(env, OUTBOX_INBOX) as kit:
        await ask_for_empty_tables(
            kit.pool, Outbox(kit.schema), "reports", SUBSCRIPTIONS, BACKFILLED, only_invoices_empty
        )
        rows = await kit.pool.fetch(f"SELECT routing_key, body FROM {kit.schema}.outbox ORDER BY id")
    assert asked_about == [["authority", "invoice"]]
    commands = [(r["routing_key"], json.loads(r["body"])["payload"]) for r in rows]
    assert [(key, p["aggregate_type"], p["requested_by"]) for key, p in commands] == [
        ("payments.backfill.requested.v1", "invoice", "reports"),
        ("payments.backfill.requested.v1", "credit_note", "reports"),
    ]
