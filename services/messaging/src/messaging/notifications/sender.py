"""The sender: a worker task of `python -m messaging worker` that mails the due rows of the outbox.

One round, `send_due`: in one transaction, claim up to `batch_size` due pending rows (`FOR UPDATE SKIP
LOCKED`: several senders, in one worker or several, never take the same row), send each, then mark each
row sent (or suppressed, or due again later, or failed) and commit. A row is marked sent only after its
send succeeded, in the transaction that claimed it.

What a crash does:
- killed after claiming and before sending: the transaction dies with the connection, the rows are
  pending again, the next round sends them: one mail each;
- killed after a send and before the commit (the at-least-once window, at most one batch wide): the
  rows are pending again and are sent a second time. Every attempt of a notification carries the same
  Message-ID (a digest of its idempotency key, `mails.message_id`), so a receiving system that
  de-duplicates on it shows one; GOV.UK Notify is given the same digest as its `reference`. The window
  cannot be closed from this side: SMTP has no way to ask "did you take this one?".

Failures: a transient one (connection, 4xx) sets the row due again after the next delay of
`notification_retry_delays`; after the last, or at once on a permanent one (5xx, Notify's 400), the row is
marked failed with its last error (a code and the server's words, never a secret).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg

from messaging.config import Settings
from messaging.notifications.backends import Backend, OutgoingMail, PermanentFailure, backend_from_settings
from shared.logging import get_logger
from shared.service import Runtime

log = get_logger(__name__)

CLAIM_SQL = """
SELECT n.notification_id, n.idempotency_key, n.recipient_address, n.subject, n.body, n.kind, n.attempts,
       coalesce(p.non_essential_off, false) AS opted_out
FROM messaging.notification n
LEFT JOIN messaging.notification_preference p
       ON p.user_id = n.recipient_user_id AND p.authority_id = n.authority_id
WHERE n.status = 'pending' AND n.next_attempt_at <= now() AND ($2::uuid IS NULL OR n.authority_id = $2)
ORDER BY n.next_attempt_at
LIMIT $1
FOR UPDATE OF n SKIP LOCKED
"""
SENT_SQL = (
    "UPDATE messaging.notification SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
    " last_error = NULL WHERE notification_id = ANY($1::uuid[])"
)
SUPPRESSED_SQL = (
    "UPDATE messaging.notification SET status = 'suppressed', last_error = 'the recipient turned off"
    " non-essential e-mails' WHERE notification_id = ANY($1::uuid[])"
)
RETRY_SQL = (
    "UPDATE messaging.notification SET attempts = attempts + 1, last_error = $2,"
    " next_attempt_at = now() + $3::interval WHERE notification_id = $1"
)
FAILED_SQL = (
    "UPDATE messaging.notification SET status = 'failed', attempts = attempts + 1, last_error = $2"
    " WHERE notification_id = $1"
)

Hook = Callable[[asyncpg.Connection, Sequence[asyncpg.Record]], Awaitable[None]]


@dataclass
class Round:
    """What one round did (for the log, the tests and the benchmark)."""

    claimed: int = 0
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:300]


async def send_due(
    pool: asyncpg.Pool,
    backend: Backend,
    *,
    batch_size: int,
    retry_delays: Sequence[float],
    authority_id: uuid.UUID | None = None,
    after_claim: Hook | None = None,
    after_send: Hook | None = None,
) -> Round:
    """One round (see the module's docstring). The worker sends every authority's mails; `authority_id`
    keeps a round to one (a test's, so that it never sends a parallel test's). `after_claim` and
    `after_send` are the tests' places to kill the round between its steps."""
    done = Round()
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(CLAIM_SQL, batch_size, authority_id)
        done.claimed = len(rows)
        if not rows:
            return done
        if after_claim is not None:
            await after_claim(conn, rows)
        sent: list[uuid.UUID] = []
        suppressed: list[uuid.UUID] = []
        retry: list[tuple[uuid.UUID, str, timedelta]] = []
        failed: list[tuple[uuid.UUID, str]] = []
        for row in rows:
            if row["kind"] == "non_essential" and row["opted_out"]:
                suppressed.append(row["notification_id"])
                continue
            mail = OutgoingMail(
                idempotency_key=row["idempotency_key"],
                to=row["recipient_address"],
                subject=row["subject"],
                body=row["body"],
            )
            try:
                await backend.send(mail)
            except PermanentFailure as exc:
                failed.append((row["notification_id"], _error_text(exc)))
            except Exception as exc:  # transient: due again later, or failed after the last delay
                attempt = row["attempts"]  # attempts before this one
                if attempt < len(retry_delays):
                    retry.append(
                        (row["notification_id"], _error_text(exc), timedelta(seconds=retry_delays[attempt]))
                    )
                else:
                    failed.append((row["notification_id"], _error_text(exc)))
            else:
                sent.append(row["notification_id"])
        if after_send is not None:
            await after_send(conn, rows)
        if sent:
            await conn.execute(SENT_SQL, sent)
        if suppressed:
            await conn.execute(SUPPRESSED_SQL, suppressed)
        if retry:
            await conn.executemany(RETRY_SQL, retry)
        if failed:
            await conn.executemany(FAILED_SQL, failed)
    done.sent, done.suppressed, done.retried, done.failed = (
        len(sent),
        len(suppressed),
        len(retry),
        len(failed),
    )
    done.errors = [e for _, e, _ in retry] + [e for _, e in failed]
    return done


async def run_sender(
    pool: asyncpg.Pool,
    backend: Backend,
    stop: asyncio.Event,
    *,
    batch_size: int,
    retry_delays: Sequence[float],
    poll_seconds: float,
) -> None:
    """Rounds until `stop`: at once again after a full batch, after `poll_seconds` when there was less."""
    while not stop.is_set():
        done = Round()
        try:
            done = await send_due(pool, backend, batch_size=batch_size, retry_delays=retry_delays)
        except Exception:  # the round's rows are pending again (rolled back); the next round takes them
            log.exception("notification_round_error")
        if done.claimed:
            log.info(
                "notifications_sent",
                sent=done.sent,
                suppressed=done.suppressed,
                retried=done.retried,
                failed=done.failed,
            )
        if done.claimed < batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


async def send_notifications(runtime: Runtime, stop: asyncio.Event) -> None:
    """The worker task: `notification_senders` senders, each with its own backend (its own SMTP
    connection), until the worker stops."""
    settings = runtime.settings
    if not isinstance(settings, Settings) or not settings.send_notifications:
        log.info("notifications_not_sent_here")
        return
    backends = [backend_from_settings(settings) for _ in range(settings.notification_senders)]
    log.info("notification_senders_started", backend=backends[0].name, senders=len(backends))
    try:
        await asyncio.gather(
            *(
                run_sender(
                    runtime.pool,
                    backend,
                    stop,
                    batch_size=settings.notification_batch_size,
                    retry_delays=settings.notification_retry_delays,
                    poll_seconds=settings.notification_poll_seconds,
                )
                for backend in backends
            )
        )
    finally:
        for backend in backends:
            with contextlib.suppress(Exception):
                await backend.close()
