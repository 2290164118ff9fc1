"""identity's contracts and services as actuals keeps them, filled late by a backfill (actuals asks
identity, identity re-publishes, actuals' consumer applies), and what actuals re-publishes for payments
and reports is what its handlers last published."""

from __future__ import annotations

import asyncio
import json
import uuid

from actuals.main import DEFINITION as ACTUALS
from actuals.republishing import REPUBLISHERS
from identity.main import DEFINITION as IDENTITY
from shared import db
from shared.backfill import republish
from shared.bus import Outbox
from shared.operations import operation_command
from shared.service import close_runtime, open_runtime, run_worker
from tests.actuals.integration.council_harness import (
    actuals_api_fixture,  # noqa: F401  (the `actuals_api` fixture)
    client_item,
    cpli_item,
    level_item,
    make_council,
    post,
)
from tests.support.inprocess import eventually


async def directory_without_events(env, authority: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """An organisation, a contract (revision 3) and a service in identity's tables with no event about them
    anywhere: as if published long before actuals kept contracts."""
    organisation, contract, service = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "INSERT INTO identity.organisation (organisation_id, authority_id, name, reference)"
            " VALUES ($1, $2, 'Portal Nursing Home', $3)",
            organisation,
            authority,
            f"A{organisation.hex[:6]}",
        )
        await conn.execute(
            "INSERT INTO identity.contract (contract_id, authority_id, organisation_id, reference, name,"
            " payment_basis, frequency, pays_frustrated, pays_extras, revision)"
            " VALUES ($1, $2, $3, $4, 'Portal Nursing Home', 'planned', 'four_weekly', false, false, 3)",
            contract,
            authority,
            organisation,
            f"WCC-{contract.hex[:6]}",
        )
        await conn.execute(
            "INSERT INTO identity.provider_service (service_id, authority_id, organisation_id, contract_id,"
            " reference, name) VALUES ($1, $2, $3, $4, $5, 'Nursing Home')",
            service,
            authority,
            organisation,
            contract,
            f"WCC-{service.hex[:6]}-1",
        )
    finally:
        await conn.close()
    return contract, service


async def kept(env, contract: uuid.UUID, service: uuid.UUID) -> tuple | None:
    conn = await db.connect(env.dsn("actuals"))
    try:
        row = await conn.fetchrow(
            "SELECT c.payment_basis, c.frequency, c.pays_extras, c.revision, s.name, s.contract_id"
            " FROM actuals.contract c JOIN actuals.provider_service s USING (contract_id)"
            " WHERE c.contract_id = $1 AND s.service_id = $2",
            contract,
            service,
        )
    finally:
        await conn.close()
    return None if row is None else tuple(row)


async def test_a_backfill_fills_actuals_projections_of_contracts_and_services(env, authority, capsys):
    contract, service = await directory_without_events(env, authority)
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(run_worker(ACTUALS, env.settings(ACTUALS), stop=stop)),
        asyncio.create_task(run_worker(IDENTITY, env.settings(IDENTITY), stop=stop)),
    ]
    runtime = await open_runtime(ACTUALS, env.settings(ACTUALS))
    try:
        for aggregate in ("contract", "provider_service"):
            await operation_command(
                ACTUALS, ["backfill", "request", "--from", "identity", "--aggregate", aggregate]
            )(runtime, asyncio.Event())
            [asked] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
            assert (asked["requested"], asked["aggregate"]) == ("identity.backfill.requested.v1", aggregate)

        async def filled():
            return await kept(env, contract, service)

        assert await eventually(filled, timeout=30) == (
            "planned",
            "four_weekly",
            False,
            3,
            "Nursing Home",
            contract,
        )
    finally:
        stop.set()
        await asyncio.gather(*workers)
        await close_runtime(runtime)


async def test_what_actuals_republishes_is_what_its_handlers_last_published(env, actuals_api):
    council = await make_council(env)
    await post(actuals_api, council, "clients", [client_item(1), client_item(2)])
    await post(actuals_api, council, "service-levels", [level_item()])
    timetabled = cpli_item(
        2,
        council.service_id,
        units_per_week=None,
        timetable=[{"weekday": 2, "start_time": "07:45", "minutes": 30}],
    )
    await post(actuals_api, council, "cplis", [cpli_item(1, council.service_id), timetabled])
    await post(actuals_api, council, "clients", [client_item(1, name="Mr Peter Portal")])  # a revision 2
    marker = f"republish-{uuid.uuid4()}"
    conn = await db.connect(env.dsn("actuals"))
    try:
        tx = conn.transaction()
        await tx.start()
        try:
            for r in REPUBLISHERS:
                await republish(conn, Outbox("actuals"), r, correlation_id=marker)
            rows = await conn.fetch(
                "SELECT body FROM actuals.outbox WHERE routing_key = ANY($1) ORDER BY id",
                [r.event.routing_key() for r in REPUBLISHERS],
            )
        finally:
            await tx.rollback()  # nobody else need receive them
    finally:
        await conn.close()
    last: dict[str, dict] = {}
    again: dict[str, dict] = {}
    for row in rows:
        envelope = json.loads(row["body"])
        if envelope["authority_id"] == str(council.authority_id):
            (again if envelope["correlation_id"] == marker else last)[envelope["aggregate_id"]] = envelope
    assert len(last) == 5  # two clients, a service level, two CPLIs
    assert set(again) == set(last)
    for aggregate_id, envelope in last.items():
        assert again[aggregate_id]["payload"] == envelope["payload"], envelope["event_type"]
        assert again[aggregate_id]["event_type"] == envelope["event_type"]
