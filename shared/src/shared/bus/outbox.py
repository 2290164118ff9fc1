"""The transactional outbox: `Outbox.add` writes the event in the caller's transaction.

If the transaction rolls back, the event was never written and is never published; if it commits, the
NOTIFY wakes the relay at once (the relay also polls, in case the notification is missed).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.db import ident
from shared.events import Envelope
from shared.telemetry import inject_headers


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


class Outbox:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        table = f"{ident(schema)}.outbox"
        # One statement, so one round trip: the NOTIFY is only delivered at commit, and PostgreSQL folds
        # the identical notifications of one transaction into one.
        self._insert = (
            "WITH wake AS (SELECT pg_notify($5, ''))"
            f" INSERT INTO {table} (event_id, routing_key, body, headers) SELECT $1, $2, $3, $4 FROM wake"
        )
        self._channel = notify_channel(schema)

    async def add(self, conn: asyncpg.Connection, envelope: Envelope) -> None:
        """Write `envelope` in the current transaction of `conn`, with the current trace context."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.add must run inside the business transaction")
        headers = dict(inject_headers())
        await conn.execute(
            self._insert,
            envelope.event_id,
            envelope.routing_key,
            envelope.model_dump_json().encode(),
            headers,
            self._channel,
        )

    async def add_many(self, conn: asyncpg.Connection, envelopes: Sequence[Envelope]) -> None:
        """Write several, as `add` each, in one round trip (asyncpg pipelines executemany)."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.add_many must run inside the business transaction")
        headers = dict(inject_headers())
        await conn.executemany(
            self._insert,
            [
                (e.event_id, e.routing_key, e.model_dump_json().encode(), headers, self._channel)
                for e in envelopes
            ],
        )
