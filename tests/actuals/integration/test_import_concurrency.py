"""An import and a hand edit of the same week at once follow the week write protocol: each locks the
week, changes it, bumps its version; nothing is lost, and a save that started before the other's change
gets a conflict. A worker that dies mid-import leaves the file for the next one; a file that keeps
killing its workers is refused rather than left running for ever."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from actuals.handlers.import_job import MAX_ATTEMPTS, process_next
from actuals.store import import_stage
from actuals.store import imports as store
from tests.actuals.import_support import (
    actuals_api,
    actuals_runtime,
    add_provider,
    bearer,
    connect,
    csv_file,
    env,
    import_file,
    lines_of,
    new_reference,
    row,
    upload,
    weeks_ago,
    weeks_of,
)
from tests.support.inprocess import eventually

__all__ = ["actuals_api", "actuals_runtime", "env"]  # fixtures of the import tests' own environment

HAND_SAVE = "UPDATE actuals.actual_line SET actual = $2, comment = $3, entered = true WHERE week_id = $1 AND cpli_id = $4"


async def hand_save(conn, week_id, cpli_id, started_from: int, actual: str) -> str:
    """A hand save as the week API makes it: lock the week, refuse a stale version, change, bump."""
    version = await conn.fetchval(
        "SELECT version FROM actuals.actual_week WHERE week_id = $1 FOR UPDATE", week_id
    )
    if version != started_from:
        return "conflict"
    await conn.execute(HAND_SAVE, week_id, Decimal(actual), "changed by hand", cpli_id)
    await conn.execute("UPDATE actuals.actual_week SET version = version + 1 WHERE week_id = $1", week_id)
    return "saved"


async def test_an_import_waits_for_a_hand_edit_of_its_week_and_nothing_is_lost(
    env, actuals_api, actuals_runtime
):
    provider = await add_provider(env, clients=3)
    service, (a, b, c) = provider.service, provider.clients
    week = weeks_ago(1)
    token = provider.token(env)
    ref = new_reference()
    first = csv_file(*(row(ref, service.reference, x.reference, week) for x in (a, b)))
    assert (await import_file(actuals_api, actuals_runtime, token, first))["status"] == "imported"
    w = (await weeks_of(env, service))[week]

    # The hand edit of client A holds the week's lock while the import of clients B and C starts.
    hand = await connect(env)
    tx = hand.transaction()
    await tx.start()
    assert await hand_save(hand, w["week_id"], a.cpli_id, w["version"], "6") == "saved"
    ref = new_reference()
    sent = await upload(
        actuals_api,
        token,
        csv_file(
            row(ref, service.reference, b.reference, week, actual="4", comment="ill"),
            row(ref, service.reference, c.reference, week),
        ),
    )
    job = asyncio.create_task(
        process_next(actuals_runtime.work, import_id=uuid.UUID(sent.json()["import_id"]))
    )
    await asyncio.sleep(1.0)
    assert not job.done(), "the import must wait for the week's lock"
    await tx.commit()
    await hand.close()
    await asyncio.wait_for(job, 30)

    lines = await lines_of(env, service)
    assert lines[(week, a.cpli_id)]["actual"] == Decimal("6")  # the hand edit, kept
    assert lines[(week, b.cpli_id)]["actual"] == Decimal("4")  # the import's
    assert lines[(week, c.cpli_id)]["actual"] == Decimal("10")  # the import's new line
    assert (await weeks_of(env, service))[week]["version"] == w["version"] + 2  # one bump each

    # A hand save that started before the import (from the version after the hand edit) is refused.
    conn = await connect(env)
    try:
        async with conn.transaction():
            assert await hand_save(conn, w["week_id"], b.cpli_id, w["version"] + 1, "1") == "conflict"
    finally:
        await conn.close()
    assert (await lines_of(env, service))[(week, b.cpli_id)]["actual"] == Decimal("4")


async def test_a_hand_edit_waits_for_an_import_and_then_sees_its_change(env, actuals_api, actuals_runtime):
    provider = await add_provider(env, clients=2)
    service, (a, _b) = provider.service, provider.clients
    week = weeks_ago(1)
    token = provider.token(env)
    assert (
        await import_file(
            actuals_api,
            actuals_runtime,
            token,
            csv_file(row(new_reference(), service.reference, a.reference, week)),
        )
    )["status"] == "imported"
    w = (await weeks_of(env, service))[week]
    # The import's transaction is held open (its week locked) by a test hook: a second connection
    # runs the import's own statements and waits before committing.
    importer = await connect(env)
    tx = importer.transaction()
    await tx.start()
    await import_stage.touch_weeks(
        importer, principal=_principal(provider), weeks=[(service.service_id, service.contract_id, week)]
    )
    hand = await connect(env)
    try:
        save = asyncio.create_task(_in_tx(hand, hand_save, w["week_id"], a.cpli_id, w["version"], "3"))
        await asyncio.sleep(0.5)
        assert not save.done(), "the hand save must wait for the import's lock"
        await tx.commit()
        assert await asyncio.wait_for(save, 10) == "conflict"  # it sees the import's version
    finally:
        await importer.close()
        await hand.close()
    assert (await lines_of(env, service))[(week, a.cpli_id)]["actual"] == Decimal("10")


async def _in_tx(conn, fn, *args):
    async with conn.transaction():
        return await fn(conn, *args)


def _principal(provider):
    from shared.auth import Principal, PrincipalKind, Role, ScopeType

    return Principal(
        subject="importer",
        kind=PrincipalKind.user,
        authority_id=provider.authority_id,
        organisation_id=provider.organisation_id,
        role=Role.care,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=provider.organisation_id,
    )


async def test_a_dead_workers_import_is_taken_by_the_next_and_a_hopeless_one_refused(
    env, actuals_api, actuals_runtime
):
    provider = await add_provider(env, clients=1)
    service, (a,) = provider.service, provider.clients
    token = provider.token(env)
    data = csv_file(row(new_reference(), service.reference, a.reference, weeks_ago(1)))
    sent = await upload(actuals_api, token, data)
    import_id = uuid.UUID(sent.json()["import_id"])
    # A worker takes it and dies (its connection drops mid-transaction).
    dying = await connect(env)
    await dying.execute("BEGIN")
    assert (await store.claim(dying, import_id=import_id)) is not None
    assert await process_next(actuals_runtime.work, import_id=import_id) is None  # held: skipped
    dying.terminate()
    # Its server process ends, and frees the import, only once it reads the closed socket: on a loaded
    # machine a moment later, so the next worker may skip it once or twice before taking it.
    taken = await eventually(lambda: process_next(actuals_runtime.work, import_id=import_id), timeout=30)
    assert taken is not None
    got = await actuals_api.get(f"/api/v1/actuals/imports/{import_id}", headers=bearer(token))
    assert got.json()["status"] == "imported" and len(await lines_of(env, service)) == 1

    # A file whose workers all died: after MAX_ATTEMPTS takes it is refused, its job failed.
    sent = await upload(
        actuals_api, token, csv_file(row(new_reference(), service.reference, a.reference, weeks_ago(2)))
    )
    hopeless = uuid.UUID(sent.json()["import_id"])
    for _ in range(MAX_ATTEMPTS):
        await store.count_attempt(actuals_runtime.pool, import_id=hopeless)
    await process_next(actuals_runtime.work, import_id=hopeless)
    got = (await actuals_api.get(f"/api/v1/actuals/imports/{hopeless}", headers=bearer(token))).json()
    assert got["status"] == "refused" and got["errors"] == [
        {
            "row": 1,
            "column": None,
            "message": f"the file could not be processed after {MAX_ATTEMPTS} attempts: send it again",
        }
    ]
    job = (await actuals_api.get(f"/api/v1/actuals/jobs/{got['job_id']}", headers=bearer(token))).json()
    assert job["state"] == "failed"
    assert len(await lines_of(env, service)) == 1
