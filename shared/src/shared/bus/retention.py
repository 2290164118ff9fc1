"""Pruning of the inbox: a consumer forgets the events it applied longer ago than its retention.

The inbox must outlive any redelivery: the broker's, a redrive of a dead letter, or `outbox replay` (which
reaches back as far as the outbox retention). The settings refuse an inbox retention shorter than the
outbox's.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg

from shared.db import ident
from shared.logging import get_logger

log = get_logger(__name__)
SWEEP_SECONDS = 600.0
DEFAULT_INBOX_RETENTION = timedelta(days=30)


async def prune_inbox(*, pool: asyncpg.Pool, schema: str, consumer: str, retention: timedelta) -> int:
    """Delete the consumer's inbox rows older than `retention`; return how many."""
    result = await pool.execute(
        f"DELETE FROM {ident(schema)}.inbox WHERE consumer = $1 AND processed_at < clock_timestamp() - $2::interval",
        consumer,
        retention,
    )
    return int(result.split()[-1])


async def prune_inbox_periodically(
    *, pool: asyncpg.Pool, schema: str, consumer: str, retention: timedelta, every: float = SWEEP_SECONDS
) -> None:
    """Prune now and every `every` seconds until cancelled; a failure is logged and never ends it."""
    while True:
        try:
            pruned = await prune_inbox(pool=pool, schema=schema, consumer=consumer, retention=retention)
            log.info("inbox_pruned", consumer=consumer, rows=pruned)
        except Exception as exc:
            log.warning("inbox_prune_failed", consumer=consumer, error=repr(exc))
        await asyncio.sleep(every)
