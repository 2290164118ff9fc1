"""What payments keeps of actuals' confirmed and unlocked weeks and claims' decisions, applied by its
consumers' handlers in a transaction: the newest state wins whatever the order, a repeat changes nothing,
and a rejected claim pays nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from payments.consumers import claim_decided, week_confirmed, week_unlocked
from shared.events import (
    AcceptedItem,
    ClaimDecided,
    ConfirmedLine,
    WeekConfirmed,
    WeekUnlocked,
    make_envelope,
)
from tests.payments.support import build_payee, payments_conn


def confirmed(payee, week_id, *, revision, totals):
    lines = [
        ConfirmedLine(
            line_id=uuid.uuid5(week_id, str(n)),
            cpli_id=cpli_id,
            client_id=client_id,
            client_reference=reference,
            service_level_id=uuid.uuid4(),
            unit="Weeks",
            actual=Decimal("1"),
            planned=Decimal("1"),
            frustrated=Decimal("0"),
            missed=Decimal("0"),
            extra=Decimal("0"),
            unit_rate=Decimal(total),
            averaged=False,
            total=Decimal(total),
            planned_total=Decimal(total),
            comment="",
        )
        for n, (cpli_id, client_id, reference, total) in enumerate(
            zip(payee.cpli_ids, payee.client_ids, payee.client_references, totals, strict=False)
        )
    ]
    return WeekConfirmed(
        week_id=week_id,
        authority_id=payee.authority_id,
        organisation_id=payee.organisation_id,
        contract_id=payee.contract_id,
        service_id=payee.service_id,
        week_commencing=date(2019, 9, 30),
        payment_basis="actuals",
        lines=lines,
        total=sum((line.total for line in lines), Decimal("0.00")),
        planned_total=sum((line.total for line in lines), Decimal("0.00")),
        confirmed_by="user-1",
        confirmed_at=datetime.now(UTC),
        revision=revision,
    )


async def apply(conn, handler, event):
    async with conn.transaction():
        await handler(
            conn, make_envelope(event, aggregate_id=uuid.uuid4(), authority_id=event.authority_id), event
        )


async def week_rows(conn, week_id):
    week = await conn.fetchrow(
        "SELECT confirmed, total, revision FROM payments.confirmed_week WHERE week_id = $1", week_id
    )
    lines = await conn.fetch(
        "SELECT total FROM payments.confirmed_line WHERE week_id = $1 ORDER BY total", week_id
    )
    return (week["confirmed"], week["total"], week["revision"]), [r["total"] for r in lines]


async def test_the_newest_confirmation_of_a_week_wins_and_an_unlock_unconfirms_it(env):
    async with payments_conn(env) as conn:
        payee = await build_payee(
            conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), payment_basis="actuals"
        )
        week_id = uuid.uuid4()
        await apply(conn, week_confirmed, confirmed(payee, week_id, revision=3, totals=["353.08", "303.03"]))
        assert await week_rows(conn, week_id) == (
            (True, Decimal("656.11"), 3),
            [Decimal("303.03"), Decimal("353.08")],
        )
        # An older confirmation arriving late changes nothing, lines included.
        await apply(conn, week_confirmed, confirmed(payee, week_id, revision=2, totals=["1.00"]))
        assert (await week_rows(conn, week_id))[1] == [Decimal("303.03"), Decimal("353.08")]

        unlocked = WeekUnlocked(
            week_id=week_id,
            authority_id=payee.authority_id,
            organisation_id=payee.organisation_id,
            service_id=payee.service_id,
            week_commencing=date(2019, 9, 30),
            reason="Wrong nights",
            unlocked_by="council",
            unlocked_at=datetime.now(UTC),
            revision=4,
        )
        await apply(conn, week_unlocked, unlocked)
        assert (await week_rows(conn, week_id))[0] == (False, Decimal("656.11"), 4)

        # Confirmed again with one line changed and one gone: the lines are the new ones.
        await apply(conn, week_confirmed, confirmed(payee, week_id, revision=5, totals=["300.00"]))
        assert await week_rows(conn, week_id) == ((True, Decimal("300.00"), 5), [Decimal("300.00")])


def decided(payee, *, decision, amounts):
    items = [
        AcceptedItem(
            item_id=uuid.uuid4(),
            amount=Decimal(amount),
            client_id=payee.client_ids[0],
            client_reference=payee.client_references[0],
            service_level_id=uuid.uuid4(),
            service_level_reference="MILES",
            cost_code="CC-MILES",
            financial_year="2019/2020",
        )
        for amount in amounts
    ]
    now = datetime.now(UTC)
    return ClaimDecided(
        claim_id=uuid.uuid4(),
        claim_date=date(2019, 9, 25),
        notes="Mileage",
        status=decision,
        total=Decimal("64.00"),
        client_items=[],
        provider_items=[],
        authority_id=payee.authority_id,
        organisation_id=payee.organisation_id,
        submitted_at=now,
        submitted_by="user-1",
        revision=3,
        decision=decision,
        decided_at=now,
        decided_by="council",
        accepted_items=items,
        accepted_total=sum((i.amount for i in items), Decimal("0.00")),
    )


async def test_an_accepted_claims_items_are_kept_once_and_a_rejected_claim_pays_nothing(env):
    async with payments_conn(env) as conn:
        payee = await build_payee(conn, authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
        accepted = decided(payee, decision="accepted", amounts=["58.05", "5.95"])
        await apply(conn, claim_decided, accepted)
        await apply(conn, claim_decided, accepted)  # redelivered
        rejected = decided(payee, decision="rejected", amounts=[])
        await apply(conn, claim_decided, rejected)
        rows = await conn.fetch(
            "SELECT claim_id, amount, claim_date FROM payments.accepted_item WHERE organisation_id = $1"
            " ORDER BY amount",
            payee.organisation_id,
        )
        assert [(r["claim_id"], r["amount"], r["claim_date"]) for r in rows] == [
            (accepted.claim_id, Decimal("5.95"), date(2019, 9, 25)),
            (accepted.claim_id, Decimal("58.05"), date(2019, 9, 25)),
        ]
