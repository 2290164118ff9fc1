"""The demo payments of `make run`: the seeds' Durham period (353.08 + 303.03 = 656.11) reproduced from the
demo data as Sausage Sandwich's Unconfirmed current payment, earlier periods Finalised with remittances,
the accepted demo claim (£58.05) on Durham's "One-Off Claims" purchase order, and seeding twice changes
nothing."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from actuals.main import DEFINITION as ACTUALS
from claims.main import DEFINITION as CLAIMS
from devtools import demo_claims, demo_councils, demo_payments, seed
from identity.main import DEFINITION as IDENTITY
from payments.domain.periods import financial_year
from payments.domain.purchase_orders import order_title
from payments.main import DEFINITION as PAYMENTS
from shared import db
from tests.support.environment import RunEnvironment


async def organisation_of(env, authority, reference) -> object:
    identity = await db.connect(env.dsn("identity"))
    try:
        return await identity.fetchval(
            "SELECT organisation_id FROM identity.organisation WHERE authority_id = $1 AND reference = $2",
            authority,
            reference,
        )
    finally:
        await identity.close()


async def state(conn, authorities) -> dict[str, int]:
    """What the seeder makes in the demo councils (other tests of the run use other authorities)."""
    found = {
        table: await conn.fetchval(
            f"SELECT count(*) FROM payments.{table} WHERE authority_id = ANY($1)", authorities
        )
        for table in (
            "schedule",
            "period",
            "payment_run",
            "scheduled_payment",
            "payment_line",
            "remittance",
            "purchase_order",
        )
    }
    found["outbox"] = await conn.fetchval("SELECT count(*) FROM payments.outbox")
    found["audit"] = await conn.fetchval("SELECT count(*) FROM payments.audit_event")
    return found


@pytest.fixture
async def demo_env() -> AsyncIterator[RunEnvironment]:
    """An environment of its own: a payment run covers every contract of an authority on a frequency, and
    other tests pay fresh providers of the demo councils in recent weeks (the pages' tests), so in the
    run's shared database the demo's runs of those weeks would be theirs, already computed without it."""
    own = RunEnvironment(run_id=f"demo{secrets.token_hex(3)}")
    await own.create()
    try:
        yield own
    finally:
        await own.destroy()


async def test_the_demo_payments_reproduce_the_seeds_durham_period(demo_env):
    env = demo_env
    settings = {
        "identity": env.settings(IDENTITY, login_limit_per_address=10000),
        "actuals": env.settings(ACTUALS),
        "claims": env.settings(CLAIMS),
        "payments": env.settings(PAYMENTS),
    }
    await seed.seed_demo(settings)
    authorities = [a.authority_id for a in seed.AUTHORITIES]
    durham = seed.AUTHORITIES[1].authority_id
    carer = await organisation_of(env, durham, demo_claims.FOSTER_CARER)
    portal = await organisation_of(env, seed.AUTHORITIES[2].authority_id, "A2010")
    conn = await db.connect(env.dsn("payments"))
    try:
        first = await state(conn, authorities)
        every = await conn.fetch(
            "SELECT sp.payment_id, sp.status, sp.total, sp.vat, p.start_date, p.end_date, p.pay_date, p.moved"
            "  FROM payments.scheduled_payment sp JOIN payments.period p USING (period_id)"
            " WHERE sp.organisation_id = $1 ORDER BY p.start_date",
            carer,
        )
        tax_year_end = demo_payments.TAX_YEAR_ENDS["durham-childrens"]
        payments = [p for p in every if p["start_date"] not in tax_year_end.starts]
        current = payments[-1]
        lines = await conn.fetch(
            "SELECT l.source, l.excl_vat, l.total, l.adjustment, l.service_start, l.service_end"
            "  FROM payments.payment_line l WHERE l.payment_id = $1 ORDER BY l.total DESC",
            current["payment_id"],
        )
        nursing = await conn.fetch(
            "SELECT sp.status, sp.excl_vat, sp.vat, sp.total, p.end_date - p.start_date AS days"
            "  FROM payments.scheduled_payment sp JOIN payments.period p USING (period_id)"
            " WHERE sp.organisation_id = $1 ORDER BY p.start_date",
            portal,
        )
        remitted = await conn.fetch(
            "SELECT r.payment_id, r.total FROM payments.remittance r WHERE r.organisation_id = $1",
            carer,
        )
        # The demo contracts' own (other tests of the run may pay providers of the demo councils too).
        demo = {
            table: await conn.fetchval(
                f"SELECT count(*) FROM payments.{table} x JOIN payments.contract c USING (contract_id)"
                " WHERE c.authority_id = ANY($1) AND c.reference = ANY($2)",
                authorities,
                [c.reference for council in demo_councils.COUNCILS for c in council.contracts],
            )
            for table in ("schedule", "scheduled_payment", "remittance")
        }
        claim = await conn.fetchrow(
            "SELECT po.kind, po.financial_year, l.total, sp.status"
            "  FROM payments.payment_line l JOIN payments.purchase_order po USING (purchase_order_id)"
            "  JOIN payments.scheduled_payment sp USING (payment_id)"
            " WHERE l.organisation_id = $1 AND l.source = 'claim'",
            carer,
        )
    finally:
        await conn.close()

    # Sausage Sandwich: Finalised weekly periods, then one Unconfirmed: the seeds' 656.11 in two lines.
    assert [p["status"] for p in payments] == ["finalised"] * demo_payments.FINALISED_PERIODS + [
        "unconfirmed"
    ]
    assert (current["total"], current["vat"]) == (Decimal("656.11"), Decimal("0.00"))
    assert (current["end_date"] - current["start_date"]).days == 6
    assert current["start_date"].weekday() == 0 and current["end_date"] < date.today()
    assert [(r["source"], r["total"], r["adjustment"]) for r in lines] == [
        ("planned", Decimal("353.08"), False),
        ("planned", Decimal("303.03"), False),
    ]
    assert {(r["service_start"], r["service_end"]) for r in lines} == {
        (current["start_date"], current["end_date"])
    }
    # The weeks around the end of the tax year 2025/26, paid 31 March (financial year 2025/26), 2 April
    # (moved from 7 April: financial year 2026/27, still tax year 2025/26) and 14 April 2026.
    ended = [p for p in every if p["start_date"] in tax_year_end.starts]
    assert [(p["start_date"], p["pay_date"], p["moved"], p["status"], p["total"]) for p in ended] == [
        (date(2026, 3, 16), date(2026, 3, 31), False, "finalised", Decimal("656.11")),
        (date(2026, 3, 23), date(2026, 4, 2), True, "finalised", Decimal("656.11")),
        (date(2026, 3, 30), date(2026, 4, 14), False, "finalised", Decimal("656.11")),
    ]
    # Each finalised period has its remittance; the first of the recent ones also pays the accepted claim.
    finalised = {p["payment_id"]: p["total"] for p in every if p["status"] == "finalised"}
    assert {r["payment_id"]: r["total"] for r in remitted} == finalised
    assert sorted(finalised.values()) == [Decimal("656.11")] * 5 + [Decimal("714.16")]
    assert claim is not None
    assert (claim["kind"], claim["total"], claim["status"]) == (
        "one_off_claims",
        Decimal("58.05"),
        "finalised",
    )
    claimed = date.today() - timedelta(days=40)  # the accepted claim's date (devtools/demo_claims.py)
    title = order_title(
        kind=claim["kind"], year=claim["financial_year"], client_name=None, client_reference=None
    )
    assert title == f"One-Off Claims - {financial_year(claimed)}"

    # Portal Nursing Home: four-weekly, on planned, VAT registered (20% a line): five CPLIs, 1,746.08 a week.
    assert [(p["status"], p["days"], p["excl_vat"], p["vat"], p["total"]) for p in nursing] == [
        (status, 27, Decimal("6984.32"), Decimal("1396.87"), Decimal("8381.19"))
        for status in ["finalised"] * demo_payments.FINALISED_PERIODS + ["unconfirmed"]
    ]

    # Every demo contract is scheduled; seeding again makes nothing and publishes nothing.
    # Sausage Sandwich's and Portal Nursing Home's: the other demo providers have no CPLI on planned and
    # no confirmed week of actuals, so nothing to pay.
    assert demo == {"schedule": 7, "scheduled_payment": 11, "remittance": 9}
    await seed.seed_demo(settings)
    conn = await db.connect(env.dsn("payments"))
    try:
        assert await state(conn, authorities) == first
    finally:
        await conn.close()


def test_the_demo_calendar_starts_early_enough_for_four_four_weekly_periods():
    # The first Monday of the current financial year (1 April 2026 is a Wednesday)...
    assert demo_payments.anchor(date(2026, 11, 30)) == date(2026, 4, 6)
    # ...or, until late August, of the previous one (1 April 2025 is a Tuesday).
    assert demo_payments.anchor(date(2026, 5, 1)) == date(2025, 4, 7)
    assert demo_payments.anchor(date(2026, 8, 28)) == date(2025, 4, 7)
    assert demo_payments.anchor(date(2026, 8, 29)) == date(2026, 4, 6)


async def test_a_confirmed_week_of_actuals_reaches_payments_as_actuals_published_it(env):
    """Purple Care's current week (no run pays it: its period has not ended), generated and confirmed
    through actuals' handlers, is applied to payments' projection from actuals' rows."""
    from actuals.handlers import week_confirm, weeks
    from shared.bus import Outbox
    from shared.uow import Work

    settings = {
        "identity": env.settings(IDENTITY, login_limit_per_address=10000),
        "actuals": env.settings(ACTUALS),
        "claims": env.settings(CLAIMS),
    }
    await seed.seed_demo(settings)  # no payments yet: their projections are filled below
    telford = seed.AUTHORITIES[0].authority_id
    purple = await organisation_of(env, telford, "P100201")
    pool = await db.create_pool(env.dsn("actuals"))
    try:
        service_id = await pool.fetchval(
            "SELECT service_id FROM actuals.provider_service WHERE authority_id = $1 AND reference = $2",
            telford,
            "TW-HC-0201-1",
        )
        work = Work(pool, Outbox("actuals"))
        provider = demo_claims.provider_user(telford, purple)
        generated = await weeks.generate(provider, work, service_id=service_id, day=None, limit=1000)
        confirmed = await week_confirm.confirm(
            provider, work, service_id=service_id, day=None, version=generated.version, limit=1000
        )
    finally:
        await pool.close()
    assert confirmed.state == "confirmed" and confirmed.total > 0

    identity, actuals, claims = [await db.connect(env.dsn(s)) for s in ("identity", "actuals", "claims")]
    conn = await db.connect(env.dsn("payments"))
    try:
        await demo_payments.project_states(
            identity, actuals, claims, conn, authorities=[a.authority_id for a in seed.AUTHORITIES]
        )
        week = await conn.fetchrow(
            "SELECT w.total, w.confirmed, w.payment_basis, w.organisation_id, count(l.line_id) AS lines,"
            "       sum(l.total) AS lines_total"
            "  FROM payments.confirmed_week w JOIN payments.confirmed_line l USING (week_id)"
            " WHERE w.service_id = $1 AND w.week_commencing = $2 GROUP BY w.week_id",
            service_id,
            confirmed.week_commencing,
        )
    finally:
        for c in (identity, actuals, claims, conn):
            await c.close()
    assert week is not None
    assert (week["total"], week["lines_total"], week["confirmed"]) == (confirmed.total, confirmed.total, True)
    assert (week["payment_basis"], week["organisation_id"], week["lines"]) == (
        "actuals",
        purple,
        len(confirmed.lines),
    )
