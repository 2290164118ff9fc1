"""Every report of the catalogue on the demo data of `make run` (issue 14's acceptance): the demo seeded
through the owning services' handlers (devtools.seed, as `make run` does), their outboxes relayed to the
broker and reports' read model filled by its own consumer from those events; each report run through the
reports API as the demo user who would run it, rendered by a real render worker (`python -m reports
render`), in PDF and CSV. The figures each file must show are computed here, independently of the
reports' code: from the demo's own definitions (devtools/demo_care_packages.py, demo_claims.py,
demo_councils.py) and, where the demo's dates depend on the day, by SQL over payments' own tables.
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import aio_pika
import httpx
import pytest

from actuals.main import DEFINITION as ACTUALS
from claims.main import DEFINITION as CLAIMS
from devtools import demo_care_packages, demo_claims, demo_payments, seed
from identity.main import DEFINITION as IDENTITY
from payments.main import DEFINITION as PAYMENTS
from reports.main import DEFINITION as REPORTS
from reports.render import RENDER_QUEUE
from shared import db
from shared.auth import Role
from shared.service import close_runtime, create_api, open_runtime, outbox_relay
from shared.service.worker import event_consumer
from shared.settings import ServiceSettings
from tests.reports.rendering_helpers import pdf_pages, pounds
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually, serve
from tests.support.reports import render_process, wait_for_status

PRODUCERS = (IDENTITY, ACTUALS, CLAIMS, PAYMENTS)
TELFORD, DURHAM, WORCESTERSHIRE = (seed.AUTHORITIES[i].authority_id for i in range(3))
CENT = Decimal("0.01")


@dataclass
class Demo:
    env: RunEnvironment
    api: httpx.AsyncClient
    organisations: dict[str, uuid.UUID]  # the demo providers' ids, by reference

    def as_provider(self, authority: uuid.UUID, reference: str, role: Role) -> dict[str, str]:
        """A demo provider user's bearer token (their role in their organisation, devtools/demo_councils.py)."""
        token = self.env.token(
            authority_id=authority, organisation_id=self.organisations[reference], role=role
        )
        return {"authorization": f"Bearer {token}"}

    def as_council(self, authority: uuid.UUID) -> dict[str, str]:
        """A member of the council's staff (devtools/demo_councils.py: Telford's portal admin)."""
        return {"authorization": f"Bearer {self.env.council_user_token(authority, can_edit=False)}"}

    async def run(
        self, headers: dict[str, str], report: str, parameters: dict[str, Any]
    ) -> tuple[list[dict[str, str]], str]:
        """The report run as CSV and as PDF by the render worker: (the CSV's rows, the PDF's text)."""
        files = {}
        for format in ("csv", "pdf"):
            asked = {"report": report, "format": format, "parameters": parameters}
            created = await self.api.post("/api/v1/reports/runs", json=asked, headers=headers)
            assert created.status_code in (200, 202), created.text
            run_id = created.json()["run_id"]
            await wait_for_status(self.api, run_id, headers, "done", timeout=60)
            file = await self.api.get(f"/api/v1/reports/runs/{run_id}/file", headers=headers)
            assert file.status_code == 200, file.text
            files[format] = file.content
        text = files["csv"].decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        return rows, "\n".join(pdf_pages(files["pdf"]))

    async def payments(self, sql: str, *args: object) -> list[Any]:
        conn = await db.connect(self.env.dsn("payments"))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


async def delivered(env: RunEnvironment) -> bool:
    """Whether reports' read model holds the producers' current states the reports need, in the demo
    councils: as many organisations, clients, CPLIs and remittances, and each scheduled payment in its
    latest status (a payment is upserted unconfirmed, then finalised: counting rows is not enough)."""
    authorities = [a.authority_id for a in seed.AUTHORITIES]
    counted = ("identity.organisation", "actuals.client", "actuals.cpli", "payments.remittance")
    statuses = "SELECT payment_id, status FROM {}.scheduled_payment WHERE authority_id = ANY($1) ORDER BY 1"
    reports = await db.connect(env.dsn("reports"))
    try:
        for table in counted:
            service, name = table.split(".")
            conn = await db.connect(env.dsn(service))
            try:
                produced = await conn.fetchval(
                    f"SELECT count(*) FROM {table} WHERE authority_id = ANY($1)", authorities
                )
            finally:
                await conn.close()
            projected = await reports.fetchval(
                f"SELECT count(*) FROM reports.{name} WHERE authority_id = ANY($1)", authorities
            )
            if not produced or produced != projected:
                return False
        conn = await db.connect(env.dsn("payments"))
        try:
            paid = [tuple(r) for r in await conn.fetch(statuses.format("payments"), authorities)]
        finally:
            await conn.close()
        return paid == [tuple(r) for r in await reports.fetch(statuses.format("reports"), authorities)]
    finally:
        await reports.close()


async def render_consumers(env: RunEnvironment) -> int:
    """How many render workers consume `reports.render` (a passive declare answers it current)."""
    connection = await aio_pika.connect(env.amqp_url)
    try:
        declared = await (await connection.channel()).declare_queue(RENDER_QUEUE, passive=True)
        return int(declared.declaration_result.consumer_count or 0)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    """An environment of its own (a payment run covers every contract of an authority on a frequency, so
    the demo's runs must be the only ones in the demo councils, as tests/devtools/test_demo_payments.py
    explains; and the render queue is this module's), the demo seeded as `make run` seeds it."""
    env = RunEnvironment(run_id=f"rdemo{secrets.token_hex(3)}")  # never the run's (PORTAL_TEST_RUN_ID)
    await env.create()
    stop = asyncio.Event()
    runtimes, tasks = [], []
    consumer = render = None
    try:
        settings: dict[str, ServiceSettings] = {d.name: env.settings(d) for d in PRODUCERS}
        await seed.seed_demo(settings)
        # The producers' relays and reports' own relay and consumer, as their workers run them.
        for definition in (*PRODUCERS, REPORTS):
            runtime = await open_runtime(definition, env.settings(definition))
            runtimes.append(runtime)
            tasks.append(asyncio.create_task(outbox_relay(runtime).run(stop)))
        consumer = event_consumer(runtimes[-1])
        await consumer.start()
        render = render_process(env, tmp_path_factory.mktemp("render") / "render.log")

        await eventually(lambda: delivered(env), timeout=60, interval=0.5)
        # The render worker listening before the first run is asked for (its start-up, on a busy
        # machine, can take longer than a run is waited for).
        await eventually(lambda: render_consumers(env), timeout=60, interval=0.5)
        identity = await db.connect(env.dsn("identity"))
        try:
            organisations = {
                r["reference"]: r["organisation_id"]
                for r in await identity.fetch(
                    "SELECT reference, organisation_id FROM identity.organisation WHERE authority_id = ANY($1)",
                    [a.authority_id for a in seed.AUTHORITIES],
                )
            }
        finally:
            await identity.close()
        async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
            yield Demo(env, api, organisations)
    finally:
        if consumer is not None:
            await consumer.stop()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for runtime in runtimes:
            await close_runtime(runtime)
        if render is not None:
            render.terminate()
            try:
                render.wait(timeout=10)
            except subprocess.TimeoutExpired:
                render.kill()
                render.wait()
        await env.destroy()


# --- the figures, from the demo's own definitions -----------------------------------------------------

DURHAM_CARE = demo_care_packages.durham()
CHILDREN = {c["reference"]: (c["name"], date.fromisoformat(c["date_of_birth"])) for c in DURHAM_CARE.clients}
WEEKLY = {c["client_reference"]: Decimal(c["cost"]) for c in DURHAM_CARE.cplis}  # a week's allowance
LEVEL_COSTS = {
    lv["reference"]: Decimal(lv["unit_cost"]) for lv in demo_claims.DURHAM_LEVELS if lv["unit_cost"]
}
ACCEPTED = [c for c in demo_claims.sausage_sandwich_claims() if c.decision == "accepted"]
CLAIMED = {  # the accepted claim's amount per child (one-off claim items are what a carer pays tax on)
    item.client: (Decimal(item.quantity) * LEVEL_COSTS[item.level]).quantize(CENT)
    for claim in ACCEPTED
    for item in claim.items
    if item.included and item.client is not None
}
CARER = "148"  # Sausage Sandwich (devtools/demo_councils.py), Full access: Finance functions included
NURSING = "A2010"  # Portal Nursing Home, VAT registered, four-weekly, on planned
VAT_RATE = Decimal("0.20")


def money(value: str) -> Decimal:
    return Decimal(value)


def in_pdf(text: str, *values: object) -> None:
    """Each value as the PDF shows it (amounts as £1,089.01), wherever a narrow column wrapped it."""
    flowing = " ".join(text.split())
    for value in values:
        shown = pounds(value) if isinstance(value, Decimal) else str(value)
        assert " ".join(shown.split()) in flowing, (shown, text)


async def carer_weeks(demo: Demo) -> list[Any]:
    """Sausage Sandwich's payments with their period's dates (payments' own tables): which the demo
    finalised depends on the day it is seeded."""
    return await demo.payments(
        "SELECT sp.payment_id, sp.status, p.start_date, p.end_date, p.pay_date"
        "  FROM payments.scheduled_payment sp JOIN payments.period p USING (period_id)"
        " WHERE sp.organisation_id = $1 ORDER BY p.start_date",
        demo.organisations[CARER],
    )


async def claim_paid_with(demo: Demo) -> uuid.UUID:
    """The payment that paid the accepted claim (the first run after its decision)."""
    (row,) = await demo.payments(
        "SELECT payment_id FROM payments.payment_line WHERE organisation_id = $1 AND source = 'claim'",
        demo.organisations[CARER],
    )
    paid: uuid.UUID = row["payment_id"]
    return paid


# --- the reports -----------------------------------------------------------------------------------------


async def test_the_organisation_directory_of_a_council(demo):
    rows, text = await demo.run(demo.as_council(TELFORD), "organisation-directory", {})
    providers = sorted(seed.AUTHORITIES[0].providers, key=lambda p: p[1])
    assert [(r["Organisation"], r["Reference"], r["Status"]) for r in rows] == [
        (name, reference, "Active") for reference, name in providers
    ]
    in_pdf(text, "Provider Organisations", seed.AUTHORITIES[0].name, *(n for _, n in providers))
    for _, name in seed.AUTHORITIES[1].providers:  # another council's providers are not in it
        assert name not in text


async def test_the_pending_scheduled_payments_and_exceptions_of_the_foster_carer(demo):
    (current,) = [w for w in await carer_weeks(demo) if w["status"] == "unconfirmed"]
    carer = demo.as_provider(DURHAM, CARER, Role.full)
    lines = sorted((CHILDREN[ref][0], WEEKLY[ref]) for ref in WEEKLY)  # by child, as printed
    total = sum(WEEKLY.values(), Decimal(0))
    assert total == money("656.11")  # the seeds' Durham period (guide 004)

    rows, text = await demo.run(carer, "pending-scheduled-payments", {})
    assert [
        (
            r["Contract"], r["Client"], r["Service"], r["Period start"], r["Period end"], r["Pay date"],
            r["Status"], money(r["Amount"]),
        )
        for r in rows
    ] == [
        (
            "Sausage Sandwich", child, "Commissioned care", current["start_date"].isoformat(),
            current["end_date"].isoformat(), current["pay_date"].isoformat(), "Unconfirmed", amount,
        )
        for child, amount in lines
    ]  # fmt: skip
    in_pdf(text, "Pending Scheduled Payments", *(c for c, _ in lines), *(a for _, a in lines), total)
    in_pdf(text, f"{current['start_date']:%d/%m/%Y}", f"{current['pay_date']:%d/%m/%Y}")

    rows, text = await demo.run(carer, "pending-payments-exceptions", {})
    assert [(r["Client"], r["Status"], r["Reason"], money(r["Amount"])) for r in rows] == [
        (child, "Unconfirmed", "Not confirmed by the provider yet", amount) for child, amount in lines
    ]
    in_pdf(text, "Pending Payments Exceptions", *(a for _, a in lines), total)


async def test_the_remittance_advice_of_the_foster_carers_week_with_the_claim(demo):
    weeks = await carer_weeks(demo)
    paid = await claim_paid_with(demo)
    (week,) = [w for w in weeks if w["payment_id"] == paid]
    assert week["status"] == "finalised"
    (contract,) = await demo.payments(
        "SELECT contract_id FROM payments.contract WHERE authority_id = $1 AND reference = 'DCC-FC-148'",
        DURHAM,
    )
    expected = sorted(
        [(CHILDREN[ref][0], "Commissioned care", 7, amount) for ref, amount in WEEKLY.items()]
        + [(CHILDREN[ref][0], "One-off claim", None, amount) for ref, amount in CLAIMED.items()]
    )
    rows, text = await demo.run(
        demo.as_provider(DURHAM, CARER, Role.full),
        "remittance-advice",
        {
            "contract_id": str(contract["contract_id"]),
            "payment_method": "Scheduled Weekly Net",
            "period_start": week["start_date"].isoformat(),
        },
    )
    got = sorted(
        (
            r["Client"],
            r["Service"],
            int(r["Quantity"]) if r["Service"] != "One-off claim" else None,
            money(r["Gross"]),
        )
        for r in rows
    )
    assert got == expected
    assert all(
        money(r["VAT"]) == 0 and money(r["Net"]) == money(r["Gross"]) for r in rows
    )  # not VAT registered
    care = [r for r in rows if r["Service"] == "Commissioned care"]
    assert {(r["Period start"], r["Period end"]) for r in care} == {
        (week["start_date"].isoformat(), week["end_date"].isoformat())
    }
    total = sum((a for *_, a in expected), Decimal(0))
    assert total == money("714.16")
    in_pdf(text, "Remittance Advice Provider Payments", *(a for *_, a in expected), total)


async def test_the_remittance_advice_of_the_nursing_home_with_vat(demo):
    """Portal Nursing Home: four weeks of its five CPLIs a period, VAT at 20% on each line."""
    worcestershire = demo_care_packages.worcestershire()
    names = {c["reference"]: c["name"] for c in worcestershire.clients}
    (latest,) = await demo.payments(
        "SELECT r.contract_id, r.period_start, r.period_end FROM payments.remittance r"
        " WHERE r.organisation_id = $1 ORDER BY r.period_start DESC LIMIT 1",
        demo.organisations[NURSING],
    )
    days = (latest["period_end"] - latest["period_start"]).days + 1
    assert days == 28
    expected = []
    for cpli in worcestershire.cplis:
        net = Decimal(cpli["cost"]) * days / 7
        vat = (net * VAT_RATE).quantize(CENT)
        expected.append((names[cpli["client_reference"]], days, net, vat, net + vat))
    rows, text = await demo.run(
        demo.as_provider(WORCESTERSHIRE, NURSING, Role.full),
        "remittance-advice",
        {
            "contract_id": str(latest["contract_id"]),
            "payment_method": "Scheduled 4 Weekly Net",
            "period_start": latest["period_start"].isoformat(),
        },
    )
    assert sorted(
        (r["Client"], int(r["Quantity"]), money(r["Net"]), money(r["VAT"]), money(r["Gross"])) for r in rows
    ) == sorted(expected)
    totals = [sum((e[i] for e in expected), Decimal(0)) for i in (2, 3, 4)]
    assert totals == [money("6984.32"), money("1396.87"), money("8381.19")]
    in_pdf(text, *totals)


async def test_the_annual_statement_of_the_foster_carer(demo):
    """Per child: the days of care and allowances paid (pay date) in the tax year, the claim taxable."""
    weeks = [w for w in await carer_weeks(demo) if w["status"] == "finalised"]
    paid_with_claim = await claim_paid_with(demo)
    year = tax_year_of(weeks[-1]["pay_date"])
    first, last = date(year, 4, 6), date(year + 1, 4, 5)
    in_year = [w for w in weeks if first <= w["pay_date"] <= last]
    claim_in_year = any(w["payment_id"] == paid_with_claim for w in in_year)
    expected = []
    for ref, (name, born) in sorted(CHILDREN.items(), key=lambda c: c[1][0]):
        days = sum((w["end_date"] - w["start_date"]).days + 1 for w in in_year)
        allowances = WEEKLY[ref] * len(in_year)
        taxable = CLAIMED.get(ref, Decimal("0.00")) if claim_in_year else Decimal("0.00")
        expected.append((name, born.isoformat(), days, allowances, taxable, allowances + taxable))
    rows, text = await demo.run(
        demo.as_provider(DURHAM, CARER, Role.full), "annual-statement-foster-carer", {"tax_year": year}
    )
    assert [
        (
            r["Child"], r["Date of birth"], int(r["Days of care"]), money(r["Non-taxable"]), money(r["Taxable"]),
            money(r["Total"]),
        )
        for r in rows
    ] == expected  # fmt: skip
    grand = sum((e[5] for e in expected), Decimal(0))
    in_pdf(text, "Annual Statement of Foster Carer Payments", f"{year}/{str(year + 1)[2:]}", grand)
    for child, born_on, _days, allowances, taxable, total in expected:
        in_pdf(text, child, date.fromisoformat(born_on).strftime("%d/%m/%Y"), allowances, taxable, total)


def financial_year_of(day: date) -> int:
    """The financial year (1 April to 31 March) a day is in, by the year it starts."""
    return day.year if day >= date(day.year, 4, 1) else day.year - 1


def tax_year_of(day: date) -> int:
    """The tax year (6 April to 5 April) a day is in, by the year it starts."""
    return day.year if day >= date(day.year, 4, 6) else day.year - 1


async def test_the_purchase_orders_of_a_child(demo):
    """Tyler's orders, one a financial year (of the period's start): every finalised week of his
    allowance on the order of its year, seven days each."""
    tyler = "DC1480001"
    weeks = [w for w in await carer_weeks(demo) if w["status"] == "finalised"]
    orders = await demo.payments(
        "SELECT DISTINCT l.purchase_order_id, po.financial_year FROM payments.payment_line l"
        "  JOIN payments.purchase_order po USING (purchase_order_id)"
        " WHERE l.organisation_id = $1 AND po.kind = 'client' AND l.client_id IN"
        "       (SELECT client_id FROM payments.client WHERE reference = $2)"
        " ORDER BY po.financial_year",
        demo.organisations[CARER],
        tyler,
    )
    assert [o["financial_year"] for o in orders] == ["2025/2026", "2026/2027"]  # the weeks of March 2026
    for order in orders:
        year = int(order["financial_year"][:4])
        on_order = [w for w in weeks if financial_year_of(w["start_date"]) == year]
        rows, text = await demo.run(
            demo.as_provider(DURHAM, CARER, Role.full),
            "purchase-order",
            {"purchase_order_id": str(order["purchase_order_id"])},
        )
        assert [
            (r["Client"], r["Start"], r["End"], int(r["Quantity"]), money(r["Amount (excl VAT)"]))
            for r in rows
        ] == [
            (CHILDREN[tyler][0], w["start_date"].isoformat(), w["end_date"].isoformat(), 7, WEEKLY[tyler])
            for w in on_order
        ]
        in_pdf(text, "Purchase Order", CHILDREN[tyler][0], WEEKLY[tyler], WEEKLY[tyler] * len(on_order))


async def test_commissioned_vs_actuals_of_a_home_care_provider(demo):
    """The demo has no confirmed week of actuals (docs/demo.md): Purple Care's last complete week of
    timetabled home care is generated and confirmed here as its users do it in the pages (through
    actuals' handlers), delivered as planned; its event reaches reports like the others. Each timetabled
    client's hours and cost are the demo's: the timetable's minutes, at the week's rate (£21.45 until the
    mid-week change of the current week)."""
    from actuals.domain.weeks import week_commencing
    from actuals.handlers import week_confirm, weeks
    from shared.bus import Outbox
    from shared.uow import Work

    today = date.today()
    week = week_commencing(today) - timedelta(weeks=1)
    telford = demo_care_packages.telford(today)
    names = {c["reference"]: c["name"] for c in telford.clients}
    planned: dict[str, Decimal] = {}
    for cpli in telford.cplis:
        starts, ends = date.fromisoformat(cpli["start_date"]), cpli["end_date"]
        if "timetable" not in cpli or cpli["service"] != "TW-HC-0201-1" or not cpli["authorised"]:
            continue
        if starts > week or (ends is not None and date.fromisoformat(ends) < week):
            continue
        hours = Decimal(sum(v["minutes"] for v in cpli["timetable"])) / 60
        planned[names[cpli["client_reference"]]] = hours
    assert planned  # the demo's timetabled clients

    pool = await db.create_pool(demo.env.dsn("actuals"), max_size=2)
    try:
        service_id = await pool.fetchval(
            "SELECT service_id FROM actuals.provider_service WHERE authority_id = $1 AND reference = $2",
            TELFORD,
            "TW-HC-0201-1",
        )
        work = Work(pool, Outbox("actuals"))
        provider = demo_claims.provider_user(TELFORD, demo.organisations["P100201"])
        generated = await weeks.generate(provider, work, service_id=service_id, day=week, limit=1000)
        await week_confirm.confirm(
            provider, work, service_id=service_id, day=week, version=generated.version, limit=1000
        )
    finally:
        await pool.close()

    async def projected() -> bool:
        conn = await db.connect(demo.env.dsn("reports"))
        try:
            return bool(
                await conn.fetchval(
                    "SELECT count(*) FROM reports.confirmed_week WHERE service_id = $1 AND confirmed",
                    service_id,
                )
            )
        finally:
            await conn.close()

    await eventually(projected, timeout=20, interval=0.2)
    rate = Decimal("21.45")
    year = financial_year_of(week)
    rows, text = await demo.run(
        demo.as_provider(TELFORD, "P100201", Role.full),
        "commissioned-vs-actuals",
        {"organisation_id": str(demo.organisations["P100201"]), "financial_year": year},
    )
    got = {
        r["Client"]: (
            Decimal(r["Commissioned"]), Decimal(r["Actual"]), Decimal(r["Variance"]),
            money(r["Commissioned cost"]), money(r["Actual cost"]),
        )
        for r in rows
        if r["Week commencing"] == week.isoformat()
    }  # fmt: skip
    # Money rounds half up (10.5 hours at £21.45 is £225.23), not as Decimal's default (half even).
    expected = {
        name: (
            hours,
            hours,
            Decimal(0),
            (hours * rate).quantize(CENT, ROUND_HALF_UP),
            (hours * rate).quantize(CENT, ROUND_HALF_UP),
        )
        for name, hours in planned.items()
    }
    assert got == expected
    cost = sum((e[3] for e in expected.values()), Decimal(0))
    in_pdf(text, "Commissioned Vs Actuals", *list(planned)[:3], cost)


async def test_the_annual_statement_over_a_tax_year_that_spans_two_financial_years(demo):
    """Tax year 2025/26 (6 April 2025 to 5 April 2026): the demo's weeks around its end
    (devtools/demo_payments.py TAX_YEAR_ENDS) are paid 31 March 2026 (financial year 2025/26) and 2 April
    2026 (moved before Easter: financial year 2026/27), both in it; the week paid 14 April is in the next.
    The pay dates from the demo's definitions: the schedule's default (9 days after a period ends) unless
    the council moved it."""
    end = demo_payments.TAX_YEAR_ENDS["durham-childrens"]
    pay_dates = {
        start: end.moved[start].pay_date if start in end.moved else start + timedelta(days=6 + 9)
        for start in end.starts
    }
    first, last = date(2025, 4, 6), date(2026, 4, 5)
    paid = [start for start, pay in pay_dates.items() if first <= pay <= last]
    # Paid in the tax year: two weeks, one paid in each financial year (1 April starts the next).
    assert [pay_dates[s] for s in paid] == [date(2026, 3, 31), date(2026, 4, 2)]
    assert {financial_year_of(pay_dates[s]) for s in paid} == {2025, 2026}
    expected = [
        (
            name,
            born.isoformat(),
            7 * len(paid),
            WEEKLY[ref] * len(paid),
            Decimal("0.00"),
            WEEKLY[ref] * len(paid),
        )
        for ref, (name, born) in sorted(CHILDREN.items(), key=lambda c: c[1][0])
    ]
    rows, text = await demo.run(
        demo.as_provider(DURHAM, CARER, Role.full), "annual-statement-foster-carer", {"tax_year": "2025/26"}
    )
    assert [
        (
            r["Child"], r["Date of birth"], int(r["Days of care"]), money(r["Non-taxable"]), money(r["Taxable"]),
            money(r["Total"]),
        )
        for r in rows
    ] == expected  # fmt: skip
    grand = sum((e[5] for e in expected), Decimal(0))
    assert grand == 2 * money("656.11")
    in_pdf(text, "Annual Statement of Foster Carer Payments", "2025/26", grand, 7 * len(paid) * len(CHILDREN))
    for child, born_on, _days, allowances, _taxable, total in expected:
        in_pdf(text, child, date.fromisoformat(born_on).strftime("%d/%m/%Y"), allowances, total)
