"""Rate-limit windows and failed logins of unknown e-mails."""

from __future__ import annotations

import uuid

import asyncpg


async def hit(*, conn: asyncpg.Connection, bucket: bytes, window_seconds: int) -> tuple[int, int]:
    """Count one hit in the current fixed window; (hits so far, seconds until the window ends)."""
    row = await conn.fetchrow(
        """
        INSERT INTO identity.rate_limit AS r (bucket, window_start, hits)
        VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
        RETURNING hits,
                  ceil(extract(epoch FROM r.window_start + make_interval(secs => $2) - now()))::int AS retry
        """,
        bucket,
        window_seconds,
    )
    assert row is not None
    return int(row["hits"]), max(1, int(row["retry"]))


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
    """Forget windows that ended long ago."""
    await conn.execute("DELETE FROM identity.rate_limit WHERE window_start < now() - interval '1 day'")
