"""`python -m identity reseal`: every stored security code (and previous code) still sealed with an
earlier key sealed again with the current one, so that the previous key can be dropped (a key rotation:
docs/operations.md). Logins re-seal a user's codes on use too; this finishes the rest.

It works in batches, one transaction each, on rows locked with SKIP LOCKED and taken in the order of
their ids: several copies can run at once (each skips what another holds), and a run again is harmless
(a code already under the current key is not selected). It prints one JSON line: how many users' codes it
re-sealed, how many it could not open (sealed with a key that is not configured: those need the key back,
or the user a new code), and how many remain under an old key, counted at the end: 0 means the previous
keys can be removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg

from identity.config import Settings
from identity.context import code_keyring
from identity.crypto import Keyring, UnknownSealingKey
from identity.store import users
from identity.store.users import SealedCodes
from shared.logging import get_logger
from shared.service import Runtime

log = get_logger(__name__)
DEFAULT_BATCH = 500


@dataclass(frozen=True)
class ResealReport:
    resealed: int  # users whose codes this run sealed again
    unreadable: int  # users with a code no configured key opens (left as they are)
    remaining: int  # users with a code under another key than the current one, after the run
    current_key_id: str
    previous_key_ids: list[str]


async def reseal(pool: asyncpg.Pool, keyring: Keyring, *, batch: int = DEFAULT_BATCH) -> ResealReport:
    resealed = unreadable = 0
    after: uuid.UUID | None = None
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await users.lock_codes_to_reseal(
                conn=conn, header=keyring.current_header, after=after, limit=batch
            )
            for row in rows:
                current, previous, opened = _resealed(keyring, row)
                if not opened:
                    unreadable += 1
                    log.warning("security_code_unreadable", user_id=str(row.user_id), during="reseal")
                changed = (current, previous) != (row.security_code, row.previous_security_code)
                if changed and await users.replace_sealed_codes(
                    conn=conn, was=row, security_code=current, previous=previous
                ):
                    resealed += 1
        if len(rows) < batch:
            break
        after = rows[-1].user_id
        log.info("security_codes_resealing", resealed=resealed, unreadable=unreadable)
    async with pool.acquire() as conn:
        remaining = await users.count_codes_under_old_keys(conn=conn, header=keyring.current_header)
    report = ResealReport(resealed, unreadable, remaining, keyring.current_key_id, keyring.previous_key_ids)
    log.info("security_codes_resealed", **asdict(report))
    return report


def _resealed(keyring: Keyring, row: SealedCodes) -> tuple[bytes | None, bytes | None, bool]:
    """The user's codes under the current key, as far as they open, and whether both did (a code no
    configured key opens is kept as it is)."""
    opened = True
    codes: list[bytes | None] = []
    for sealed in (row.security_code, row.previous_security_code):
        try:
            codes.append(keyring.reseal(sealed, owner=row.user_id) or sealed if sealed is not None else None)
        except UnknownSealingKey:
            codes.append(sealed)
            opened = False
    return codes[0], codes[1], opened


def reseal_command(argv: Sequence[str]) -> Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]:
    """`python -m identity reseal [--batch N]`: the words are checked before anything connects."""
    parser = argparse.ArgumentParser(
        prog="python -m identity reseal",
        description="seal again with the current key every security code still under a previous key",
    )
    parser.add_argument("--batch", type=_positive, default=DEFAULT_BATCH, help="users per transaction")
    args = parser.parse_args(argv)

    async def command(runtime: Runtime, stop: asyncio.Event) -> None:
        settings = runtime.settings
        assert isinstance(settings, Settings)
        report = await reseal(runtime.pool, code_keyring(settings), batch=args.batch)
        print(json.dumps(asdict(report)))

    return command


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number
