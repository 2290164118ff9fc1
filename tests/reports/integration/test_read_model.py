"""Reports' read model from the other services' events (reports.consumers, migration 0003): each full
state kept once at its highest revision (an older or repeated event changes nothing), lines replaced
whole, a remittance kept once, a week unlocked no longer confirmed; and the backfill asked for when a
table is empty."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reports.consumers import BACKFILLED, SUBSCRIPTIONS
from reports.store.projections import empty_tables
from shared.backfill import backfill_request
from shared.events import (
    ClientUpserted,
    ConfirmedLine,
    ScheduledPaymentConfirmed,
    WeekConfirmed,
    WeekUnlocked,
)
from tests.reports.integration.readmodel import deliver, line, payment, remittance, reports_conn

WEEK = date(2019, 9, 30)


async def payment_rows(env, payment_id):
    async with reports_conn(env) as conn:
        head = await conn.fetchrow(
            "SELECT status, total, revision FROM reports.scheduled_payment WHERE payment_id = $1", payment_id
        )
        lines = await conn.fetch(
            "SELECT client_name, total, status FROM reports.payment_line WHERE payment_id = $1"
            " ORDER BY client_name",
            payment_id,
        )
    return (None if head is None else tuple(head)), [tuple(r) for r in lines]


async def test_a_payment_is_kept_at_its_highest_revision_with_its_lines_replaced(env):
    authority, organisation, contract = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    computed = payment(
        authority_id=authority,
        organisation_id=organisation,
        contract_id=contract,
        period_start=WEEK,
        lines=[
            line(client_id=bart, client_name="Simpson, Bart", start=WEEK, total="353.08"),
            line(client_id=lisa, client_name="Simpson, Lisa", start=WEEK, total="303.03"),
        ],
    )
    await deliver(env, computed)
    assert await payment_rows(env, computed.payment_id) == (
        ("unconfirmed", Decimal("656.11"), 1),
        [("Simpson, Bart", Decimal("353.08"), "payable"), ("Simpson, Lisa", Decimal("303.03"), "payable")],
    )
    # The council amends Lisa's line away to 0 and removes nothing; the provider confirms (revision 3):
    # the confirmed event carries the state too. The amended state (revision 2) arrives late.
    amended = computed.model_copy(
        update={
            "lines": [computed.lines[0]],
            "total": Decimal("353.08"),
            "excl_vat": Decimal("353.08"),
            "revision": 2,
        }
    )
    confirmed = ScheduledPaymentConfirmed(
        **{**amended.model_dump(), "status": "confirmed", "revision": 3},
        confirmed_by="user-1",
        confirmed_at=datetime.now(UTC),
    )
    await deliver(env, confirmed, amended, computed)
    assert await payment_rows(env, computed.payment_id) == (
        ("confirmed", Decimal("353.08"), 3),
        [("Simpson, Bart", Decimal("353.08"), "payable")],
    )


async def test_a_remittance_is_kept_once_with_its_lines_in_order(env):
    authority, organisation = uuid.uuid4(), uuid.uuid4()
    state = payment(
        authority_id=authority,
        organisation_id=organisation,
        contract_id=uuid.uuid4(),
        period_start=WEEK,
        status="finalised",
        lines=[
            line(client_id=uuid.uuid4(), client_name="Zed", start=WEEK, total="10.00"),
            line(client_id=uuid.uuid4(), client_name="Abe", start=WEEK, total="20.00"),
        ],
    )
    issued = remittance(state)
    await deliver(env, issued, issued)
    async with reports_conn(env) as conn:
        kept = await conn.fetch(
            "SELECT r.total, l.line_no, l.client_name, l.total AS line_total FROM reports.remittance r"
            " JOIN reports.remittance_line l USING (remittance_id) WHERE r.remittance_id = $1 ORDER BY line_no",
            issued.remittance_id,
        )
    assert [tuple(r) for r in kept] == [
        (Decimal("30.00"), 1, "Zed", Decimal("10.00")),
        (Decimal("30.00"), 2, "Abe", Decimal("20.00")),
    ]


def week_event(week_id, authority, organisation, revision, actual):
    cpli, client = uuid.UUID(int=1), uuid.UUID(int=2)
    return WeekConfirmed(
        week_id=week_id,
        authority_id=authority,
        organisation_id=organisation,
        contract_id=uuid.UUID(int=3),
        service_id=uuid.UUID(int=4),
        week_commencing=WEEK,
        payment_basis="actuals",
        lines=[
            ConfirmedLine(
                line_id=uuid.uuid4(),
                cpli_id=cpli,
                client_id=client,
                client_reference="C1",
                service_level_id=uuid.UUID(int=5),
                unit="Hours",
                actual=Decimal(actual),
                planned=Decimal("10"),
                frustrated=Decimal("0"),
                missed=Decimal("0"),
                extra=Decimal("0"),
                unit_rate=Decimal("18.5400"),
                averaged=False,
                total=Decimal(actual) * Decimal("18.54"),
                planned_total=Decimal("185.40"),
                comment="",
            )
        ],
        total=Decimal(actual) * Decimal("18.54"),
        planned_total=Decimal("185.40"),
        confirmed_by="user-1",
        confirmed_at=datetime.now(UTC),
        revision=revision,
    )


async def test_an_unlocked_week_is_not_confirmed_until_confirmed_again(env):
    authority, organisation, week = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    unlocked = WeekUnlocked(
        week_id=week,
        authority_id=authority,
        organisation_id=organisation,
        service_id=uuid.UUID(int=4),
        week_commencing=WEEK,
        reason="wrong hours",
        unlocked_by="council-1",
        unlocked_at=datetime.now(UTC),
        revision=2,
    )

    async def state():
        async with reports_conn(env) as conn:
            return tuple(
                await conn.fetchrow(
                    "SELECT w.confirmed, w.revision, sum(l.actual) FROM reports.confirmed_week w"
                    " JOIN reports.confirmed_line l USING (week_id) WHERE week_id = $1"
                    " GROUP BY w.week_id",
                    week,
                )
            )

    await deliver(env, week_event(week, authority, organisation, 1, "9"), unlocked)
    assert await state() == (False, 2, Decimal("9"))
    await deliver(env, week_event(week, authority, organisation, 1, "9"))  # late: changes nothing
    assert await state() == (False, 2, Decimal("9"))
    await deliver(env, week_event(week, authority, organisation, 3, "8.5"))
    assert await state() == (True, 3, Decimal("8.5"))


async def test_reference_states_are_kept_by_revision(env):
    authority, client = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    older = ClientUpserted(
        client_id=client,
        authority_id=authority,
        reference="C1",
        name="Simpson, Bart",
        date_of_birth=date(2010, 4, 1),
        revision=1,
        updated_at=now,
    )
    newer = older.model_copy(update={"name": "Simpson, Bartholomew", "revision": 2})
    await deliver(env, newer, older)
    async with reports_conn(env) as conn:
        kept = await conn.fetchrow(
            "SELECT name, date_of_birth, revision FROM reports.client WHERE client_id = $1", client
        )
    assert tuple(kept) == ("Simpson, Bartholomew", date(2010, 4, 1), 2)


async def test_every_backfilled_table_can_be_asked_for_and_an_empty_one_is_found(env):
    for table, asks in BACKFILLED.items():
        for producer, aggregate in asks:
            envelope = backfill_request("reports", SUBSCRIPTIONS, producer=producer, aggregate=aggregate)
            assert envelope.routing_key == f"{producer}.backfill.requested.v1", table
            assert envelope.payload["aggregate_type"] == aggregate
    async with reports_conn(env) as conn:
        # Every table named is one empty_tables knows (an unknown name made the start-up task raise,
        # unseen: it asked for nothing at all).
        assert set(await empty_tables(conn, tables=sorted(BACKFILLED))) <= set(BACKFILLED)
        with pytest.raises(ValueError, match="reports backfills no table 'invoice_line'"):
            await empty_tables(conn, tables=["invoice_line"])
        # The package's own database: nothing has filled service levels in these tests.
        assert await empty_tables(conn, tables=["service_level"]) == ["service_level"]
        await conn.execute(
            "INSERT INTO reports.service_level VALUES ($1, $2, 'SL-1', 'Fostering', 'Weeks', 1, now())",
            uuid.uuid4(),
            uuid.uuid4(),
        )
        assert await empty_tables(conn, tables=["service_level"]) == []
