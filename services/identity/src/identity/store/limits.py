"""Sliding-window rate limits, and failed logins of unknown e-mails."""

from __future__ import annotations

import uuid

import asyncpg


async def hit(*, conn: asyncpg.Connection, bucket: bytes, limit: int, window_seconds: int) -> tuple[int, int]:
    """Count one hit in the sliding window (the last `window_seconds`); (hits in the window, this one
    included but never more than limit + 1, seconds until one more would be within the limit).
    Only the newest limit + 1 hits are kept: enough to know, never growing under a flood."""
    row = await conn.fetchrow(
        """
        INSERT INTO identity.rate_limit_hits AS r (bucket, hits) VALUES ($1, ARRAY[now()])
        ON CONFLICT (bucket) DO UPDATE SET hits = ARRAY(
            SELECT h FROM unnest(r.hits || now()) AS h
             WHERE h > now() - make_interval(secs => $2)
             ORDER BY h DESC LIMIT $3 + 1)
        RETURNING cardinality(hits) AS hits,
                  ceil(extract(epoch FROM hits[$3] + make_interval(secs => $2) - now()))::int AS retry
        """,
        bucket,
        window_seconds,
        limit,
    )
    assert row is not None
    return int(row["hits"]), max(1, int(row["retry"] or 1))


async def forget(*, conn: asyncpg.Connection, bucket: bytes) -> None:
    """The bucket's hits forgotten (an account's login attempts, once its password was given right)."""
    await conn.execute("DELETE FROM identity.rate_limit_hits WHERE bucket = $1", bucket)


async def record_unknown_failure(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, email_hash: bytes
) -> int:
    """Count a wrong login for an e-mail with no account; the count so far."""
    failures = await conn.fetchval(
        """
        INSERT INTO identity.unknown_login AS k (authority_id, email_hash, failures) VALUES ($1, $2, 1)
        ON CONFLICT (authority_id, email_hash)
        DO UPDATE SET failures = LEAST(k.failures + 1, 1000), last_failed_at = now()
        RETURNING failures
        """,
        authority_id,
        email_hash,
    )
    return int(failures)


async def unknown_failures(*, conn: asyncpg.Connection, authority_id: uuid.UUID, email_hash: bytes) -> int:
    """Wrong logins so far for an e-mail with no account."""
    failures = await conn.fetchval(
        "SELECT failures FROM identity.unknown_login WHERE authority_id = $1 AND email_hash = $2",
        authority_id,
        email_hash,
    )
    return int(failures or 0)


async def sweep(*, conn: asyncpg.Connection) -> None:
    """Forget buckets whose newest hit is long past any window."""
    await conn.execute("DELETE FROM identity.rate_limit_hits WHERE hits[1] < now() - interval '1 day'")
