"""A pooled connection goes back without asyncpg's reset query (a round trip per release, shared/db.py):
an open transaction is still rolled back, and no code changes a pooled connection's session (settings
only with SET LOCAL, a LISTEN removed before release, advisory locks on a connection of their own)."""

from __future__ import annotations

import re
from pathlib import Path

from shared import db

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("shared/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]
# A statement that sets a session setting (a string that starts with SET, not SET LOCAL), or the same
# through set_config(..., false).
SESSION_SET = re.compile(r"""["']\s*SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_.]+\s*(=|TO\b)""", re.IGNORECASE)
SESSION_SET_CONFIG = re.compile(r"set_config\s*\([^)]*,\s*false\s*\)", re.IGNORECASE)
# Where a session's state is changed on purpose, and undone before the connection is given back.
ALLOWED = {
    "add_listener": {"shared/src/shared/bus/relay.py"},  # remove_listener in its finally
    "pg_advisory_lock": {"shared/src/shared/migrations.py"},  # a connection of its own, unlocked after
}


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_code_sets_a_session_setting_on_a_pooled_connection():
    offenders = [
        _relative(path)
        for path in SOURCES
        if SESSION_SET.search(text := path.read_text()) or SESSION_SET_CONFIG.search(text)
    ]
    assert offenders == []


def test_session_state_is_changed_only_where_it_is_undone():
    for call, allowed in ALLOWED.items():
        users = {_relative(path) for path in SOURCES if call in path.read_text()}
        assert users <= allowed, (
            f"{call} in {sorted(users - allowed)}: undo it before release, or allow it here"
        )


def test_the_scan_would_see_a_session_setting():
    assert SESSION_SET.search('await conn.execute("SET statement_timeout = 0")')
    assert SESSION_SET.search("await conn.execute('set search_path to x')")
    assert not SESSION_SET.search('await conn.execute("SET LOCAL statement_timeout = 0")')
    assert not SESSION_SET.search('"UPDATE t SET a = 1"')
    assert SESSION_SET_CONFIG.search("SELECT set_config('app.x', $1, false)")


async def test_a_transaction_left_open_is_rolled_back_when_the_connection_goes_back(env):
    pool = await db.create_pool(env.dsn("actuals"), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("BEGIN")  # not managed: as a bug would leave it
            await conn.execute("CREATE TEMP TABLE left_behind (id int)")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('left_behind')") is None
    finally:
        await pool.close()
