"""Rotating the security-code key without downtime, against the run's PostgreSQL: a code sealed with an old
key still verifies once that key is a previous one, is sealed again with the current key at the next login
or by `python -m identity reseal` (in batches, several runs at once), after which the old key can go; a
code no configured key opens is refused clearly, and changes nothing.

The run's identity (the `identity_api` fixture) seals with the run's key, X. These tests seal users' codes
with a fresh key A (an identity configured with A, as before a rotation), then rotate to X with A as the
previous key: so every other test's codes, already under X, are never touched."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import uuid

import pytest

from identity.main import DEFINITION as IDENTITY
from identity.resealing import reseal
from shared import db
from shared.sealing import Keyring, Sealer
from shared.service import create_api
from tests.support.identity import CODE, PASSWORD, Journey, create_user
from tests.support.inprocess import serve


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def key(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture(scope="module")
def old_key() -> str:
    return new_key()


@pytest.fixture(scope="module")
async def before_rotation(env, old_key):
    """identity as it was before the rotation: the old key A is the current one."""
    settings = env.settings(IDENTITY, security_code_key=old_key)
    async with serve(create_api(IDENTITY, settings)) as client:
        yield client


@pytest.fixture(scope="module")
async def during_rotation(env, old_key):
    """identity rolled to the new key X (the run's), with A as the previous key."""
    settings = env.settings(IDENTITY, previous_security_code_keys=old_key)
    async with serve(create_api(IDENTITY, settings)) as client:
        yield client


async def stored_codes(env, user_id: str) -> tuple[bytes | None, bytes | None]:
    conn = await db.connect(env.dsn("identity"))
    try:
        row = await conn.fetchrow(
            "SELECT security_code, previous_security_code FROM identity.app_user WHERE user_id = $1",
            uuid.UUID(user_id),
        )
    finally:
        await conn.close()
    return row["security_code"], row["previous_security_code"]


async def failed_code_count(env, user_id: str) -> int:
    conn = await db.connect(env.dsn("identity"))
    try:
        sql = "SELECT failed_code_count FROM identity.app_user WHERE user_id = $1"
        return int(await conn.fetchval(sql, uuid.UUID(user_id)))
    finally:
        await conn.close()


async def store_codes(env, user_id: str, code: bytes | None, previous: bytes | None) -> None:
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "UPDATE identity.app_user SET security_code = $2, previous_security_code = $3 WHERE user_id = $1",
            uuid.UUID(user_id),
            code,
            previous,
        )
    finally:
        await conn.close()


async def user_under_old_key(before_rotation, env, tenant) -> dict:
    """A user whose first login (new password, security code) went through identity keyed with A."""
    user, temporary = await create_user(before_rotation, env, tenant)
    await Journey(before_rotation, env).first_login(tenant, user["email"], temporary)
    return user


async def test_a_code_sealed_with_the_old_key_verifies_after_the_rotation_and_is_resealed_at_login(
    before_rotation, during_rotation, identity_api, journey, env, tenant, old_key
):
    user = await user_under_old_key(before_rotation, env, tenant)
    sealed, _ = await stored_codes(env, user["user_id"])
    old, new = Keyring(key(old_key)), Keyring(key(env.security_code_key))
    assert sealed is not None and old.is_current(sealed)

    # Only the new key: the code does not open, and the login says so (503, not a crash nor a pass).
    state = (await journey.start(tenant, user["email"], PASSWORD)).json()
    digits = [CODE[p - 1] for p in state["positions"]]
    answer = await journey.post("/login/challenge", {"journey_id": state["journey_id"], "digits": digits})
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"].endswith("security-code-unreadable")
    assert await stored_codes(env, user["user_id"]) == (sealed, None)  # nothing changed
    assert await failed_code_count(env, user["user_id"]) == 0  # and the user is not blamed for it

    # The new key current and the old one previous: the code verifies, and is sealed again with X.
    await Journey(during_rotation, env).login(tenant, user["email"])
    resealed, _ = await stored_codes(env, user["user_id"])
    assert resealed is not None and new.is_current(resealed) and resealed != sealed
    assert new.open(resealed, owner=uuid.UUID(user["user_id"])) == CODE

    # Now the old key can go: the run's identity (X only) logs the user in.
    await journey.login(tenant, user["email"])


async def test_a_login_reseals_the_previous_code_too_and_leaves_one_no_key_opens_as_it_is(
    before_rotation, during_rotation, env, tenant, old_key
):
    user = await user_under_old_key(before_rotation, env, tenant)
    owner = uuid.UUID(user["user_id"])
    old, new = Keyring(key(old_key)), Keyring(key(env.security_code_key))
    sealed, _ = await stored_codes(env, user["user_id"])
    stranger = Keyring(key(new_key())).seal("246813", owner=owner)
    await store_codes(env, user["user_id"], sealed, stranger)

    await Journey(during_rotation, env).login(tenant, user["email"])
    code, previous = await stored_codes(env, user["user_id"])
    assert code is not None and new.is_current(code) and previous == stranger  # the login does not need it

    await store_codes(env, user["user_id"], old.seal(CODE, owner=owner), old.seal("246813", owner=owner))
    await Journey(during_rotation, env).login(tenant, user["email"])
    code, previous = await stored_codes(env, user["user_id"])
    assert code is not None and previous is not None and new.is_current(code) and new.is_current(previous)
    assert new.open(previous, owner=owner) == "246813"


async def test_reseal_leaves_nothing_under_the_old_key_then_it_can_be_dropped(
    before_rotation, identity_api, journey, env, tenant, old_key
):
    first = await user_under_old_key(before_rotation, env, tenant)
    # A user whose code and previous code were sealed in the format before key ids (no key id at all).
    second, temporary = await create_user(identity_api, env, tenant)
    await journey.first_login(tenant, second["email"], temporary)
    legacy = Sealer(key(old_key))
    owner = uuid.UUID(second["user_id"])
    await store_codes(
        env, second["user_id"], legacy.seal(CODE, owner=owner), legacy.seal("246813", owner=owner)
    )

    ring = Keyring(key(env.security_code_key), [key(old_key)])
    pool = await db.create_pool(env.dsn("identity"), max_size=2)
    try:
        report = await reseal(pool, ring, batch=1)
        assert report.resealed >= 2 and report.unreadable == 0 and report.remaining == 0
        assert (
            report.current_key_id == ring.current_key_id and report.previous_key_ids == ring.previous_key_ids
        )
        again = await reseal(pool, ring, batch=1)  # idempotent: nothing left to do
        assert (again.resealed, again.unreadable, again.remaining) == (0, 0, 0)
    finally:
        await pool.close()

    only_new = Keyring(key(env.security_code_key))
    for user in (first, second):
        code, previous = await stored_codes(env, user["user_id"])
        assert code is not None and only_new.is_current(code)
        assert only_new.open(code, owner=uuid.UUID(user["user_id"])) == CODE
    _, previous = await stored_codes(env, second["user_id"])
    assert previous is not None and only_new.open(previous, owner=owner) == "246813"
    # The run's identity knows only X: both log in.
    await journey.login(tenant, first["email"])
    await journey.login(tenant, second["email"])


async def test_several_reseal_runs_at_once_share_the_work_and_reseal_each_user_once(
    identity_api, env, tenant, old_key
):
    old = Keyring(key(old_key))
    users = [(await create_user(identity_api, env, tenant))[0] for _ in range(6)]
    for user in users:
        await store_codes(env, user["user_id"], old.seal(CODE, owner=uuid.UUID(user["user_id"])), None)

    ring = Keyring(key(env.security_code_key), [key(old_key)])
    pools = [await db.create_pool(env.dsn("identity"), max_size=1) for _ in range(2)]
    try:
        reports = await asyncio.gather(*(reseal(p, ring, batch=2) for p in pools))
        # A run's count at its end may include rows the other still held; once both are done, none is left.
        after = await reseal(pools[0], ring, batch=2)
    finally:
        for p in pools:
            await p.close()
    assert sum(r.resealed for r in reports) == len(users)
    assert all(r.unreadable == 0 for r in reports)
    assert (after.resealed, after.unreadable, after.remaining) == (0, 0, 0)
    for user in users:
        code, _ = await stored_codes(env, user["user_id"])
        assert code is not None and ring.is_current(code)


async def test_a_code_under_a_key_that_is_not_configured_is_counted_and_left_as_it_is(
    identity_api, env, tenant
):
    stranger = Keyring(key(new_key()))
    user, _ = await create_user(identity_api, env, tenant)
    sealed = stranger.seal(CODE, owner=uuid.UUID(user["user_id"]))
    await store_codes(env, user["user_id"], sealed, None)
    ring = Keyring(key(env.security_code_key))
    pool = await db.create_pool(env.dsn("identity"), max_size=1)
    try:
        report = await reseal(pool, ring, batch=10)
        assert report.unreadable == 1 and report.remaining == 1 and report.resealed == 0
        assert await stored_codes(env, user["user_id"]) == (sealed, None)
    finally:
        await store_codes(
            env, user["user_id"], None, None
        )  # the run's other tests expect nothing under old keys
        await pool.close()


def run_reseal(env, *words: str, **extra: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("IDENTITY_")}
    return subprocess.run(
        [sys.executable, "-m", "identity", "reseal", *words],
        env={**environ, **env.env_vars("identity"), **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_reseal_command_reports_what_it_did_and_refuses_a_bad_batch(
    identity_api, env, tenant, old_key
):
    old = Keyring(key(old_key))
    user, _ = await create_user(identity_api, env, tenant)
    await store_codes(env, user["user_id"], old.seal(CODE, owner=uuid.UUID(user["user_id"])), None)

    refused = await asyncio.to_thread(run_reseal, env, "--batch", "0")
    assert refused.returncode == 2 and "--batch" in refused.stderr
    done = await asyncio.to_thread(
        run_reseal, env, "--batch", "50", IDENTITY_PREVIOUS_SECURITY_CODE_KEYS=old_key
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["resealed"] >= 1 and report["remaining"] == 0 and report["unreadable"] == 0
    assert old_key not in done.stdout + done.stderr and env.security_code_key not in done.stdout + done.stderr
    code, _ = await stored_codes(env, user["user_id"])
    assert code is not None and Keyring(key(env.security_code_key)).is_current(code)
