"""The notification outbox: `queue` writes one row per recipient in the caller's transaction."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

# A header value never carries a line break (header injection); an address is one address.
_LINE_BREAK = re.compile(r"[\r\n]")
_ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\]+$")
SUBJECT_MAX = 200
BODY_MAX = 20_000


class NotificationRefused(ValueError):
    """What the caller gave cannot be mailed; the message names what is wrong."""


@dataclass(frozen=True)
class Recipient:
    """One address to tell; `user_id` when it is a portal user's (their opt-out applies), None for a
    mailbox (a council team's)."""

    address: str
    user_id: uuid.UUID | None = None

    @property
    def identity(self) -> str:
        return str(self.user_id) if self.user_id is not None else self.address.lower()


def check(*, recipients: Sequence[Recipient], subject: str, body: str) -> None:
    """NotificationRefused naming the first problem: a line break in the subject or an address (header
    injection), an address that is not one address, an empty or over-long subject or body."""
    if not subject.strip():
        raise NotificationRefused("the subject is empty")
    if _LINE_BREAK.search(subject):
        raise NotificationRefused("the subject contains a line break (CR or LF)")
    if len(subject) > SUBJECT_MAX:
        raise NotificationRefused(f"the subject is longer than {SUBJECT_MAX} characters")
    if not body.strip():
        raise NotificationRefused("the body is empty")
    if len(body) > BODY_MAX:
        raise NotificationRefused(f"the body is longer than {BODY_MAX} characters")
    for recipient in recipients:
        if problem := address_problem(recipient.address):
            raise NotificationRefused(problem)


def address_problem(address: str) -> str | None:
    """What is wrong with an address to mail (a line break, or not one address), or None: the check a
    team's mailbox passes when it is set, as every recipient does when it is queued."""
    if _LINE_BREAK.search(address):
        return f"the address {address!r} contains a line break (CR or LF)"
    if not _ADDRESS.match(address):
        return f"{address!r} is not one e-mail address"
    return None


# One statement for every recipient (arrays unnested): the rows already there are left as they are.
INSERT_SQL = """
WITH added AS (
    INSERT INTO messaging.notification (notification_id, idempotency_key, authority_id, recipient_user_id,
        recipient_address, subject, body, kind)
    SELECT id, k, $3, u, a, $6, $7, $8
    FROM unnest($1::uuid[], $2::text[], $4::uuid[], $5::text[]) AS r(id, k, u, a)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added
"""


async def queue(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    key: str,
    recipients: Sequence[Recipient],
    subject: str,
    body: str,
    essential: bool,
) -> int:
    """Queue one mail per recipient, in the caller's transaction (the seam of the actions code: see the
    package's docstring). `key` identifies the event told of; each row's idempotency key is `key` and the
    recipient, so the same call twice queues nothing the second time and the same address given twice
    gets one mail. Non-essential mails to a user who turned them off are still queued and marked
    suppressed by the sender (their choice is read when the mail would go, not when it is queued).
    Returns how many rows were new. NotificationRefused, nothing written, on bad input."""
    if not key or _LINE_BREAK.search(key):
        raise NotificationRefused("the key is empty or contains a line break")
    check(recipients=recipients, subject=subject, body=body)
    chosen = {f"{key}/{r.identity}": r for r in recipients}
    if not chosen:
        return 0
    added = await conn.fetchval(
        INSERT_SQL,
        [uuid.uuid4() for _ in chosen],
        list(chosen),
        authority_id,
        [r.user_id for r in chosen.values()],
        [r.address for r in chosen.values()],
        subject,
        body,
        "essential" if essential else "non_essential",
    )
    return int(added)
