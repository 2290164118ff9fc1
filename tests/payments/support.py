"""Rows of the payments service written straight into its schema, the payments API in this process, and
its connection, for the payments tests.

The consumers fill payments' projections (contracts, services, clients, CPLIs, confirmed weeks, accepted
claim items) and the payment run fills schedules' payments; a test about something else builds what it
needs here in one call:

    async with payments_conn(env) as conn:
        payee = await build_payee(conn, authority_id=..., organisation_id=..., label="A1")
        # payee.contract_id, payee.service_id, payee.client_ids (two), payee.cpli_ids (one each)
        paid = await seed_payment(conn, payee, period_start=date(2019, 9, 30),
                                  amounts=[Decimal("353.08"), Decimal("303.03")])
        # paid.payment_id, paid.line_ids, paid.period_id, paid.run_id: an unconfirmed payment of 656.11

Every id made here is random, and every name carries `label`, so that tests sharing the run's schema
never see each other's rows and a cross-tenant test can look for another tenant's strings (`markers`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from shared import db

API = "/api/v1/payments"
COUNCIL_API = "/council/v1/payments"


@asynccontextmanager
async def payments_conn(env: Any) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the run's payments schema, as the payments service's own role."""
    conn = await db.connect(env.dsn("payments"))
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def payments_api(env: Any, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The payments API in this process, on a real socket, with the run's database and broker."""
    from payments.main import DEFINITION as PAYMENTS
    from shared.service import create_api
    from tests.support.inprocess import serve

    async with serve(create_api(PAYMENTS, env.settings(PAYMENTS, **overrides))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def financial_year(day: date) -> str:
    """'2019/2020' for any day from 1 April 2019 to 31 March 2020."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{first + 1}"


# --- the projections: who is paid, on which contract, for which clients ------------------------------


@dataclass
class Payee:
    """A provider with one contract, one service, and clients each with one authorised CPLI."""

    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_reference: str
    contract_id: uuid.UUID
    contract_name: str
    service_id: uuid.UUID
    client_ids: list[uuid.UUID]
    client_names: list[str]
    client_references: list[str]
    cpli_ids: list[uuid.UUID]
    payment_basis: str
    frequency: str
    extra: dict[str, str] = field(default_factory=dict)  # ids a test adds

    def markers(self) -> set[str]:
        """Strings that must never reach another tenant."""
        ids = [self.contract_id, self.service_id, *self.client_ids, *self.cpli_ids]
        return (
            {str(i) for i in ids} | set(self.client_names) | {self.contract_name} | set(self.extra.values())
        )


async def build_payee(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    label: str = "",
    organisation_name: str | None = None,
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    payment_basis: str = "planned",
    frequency: str = "weekly",
    vat_registered: bool = False,
    costs: Sequence[Decimal] = (Decimal("353.08"), Decimal("303.03")),
    cpli_start: date = date(2019, 4, 1),
    client_names: Sequence[str] | None = None,
) -> Payee:
    """The organisation (if payments does not know it), a contract and service (the ids given, e.g. a
    tenant's, or new ones), and one client with a weekly CPLI at each of `costs`."""
    tag = f"{label} {uuid.uuid4().hex[:6]}".strip()
    now = datetime.now().astimezone()
    reference = f"SUP-{uuid.uuid4().hex[:6]}"
    await conn.execute(
        """
        INSERT INTO payments.organisation
               (organisation_id, authority_id, name, reference, active, revision, updated_at)
        VALUES ($1, $2, $3, $4, true, 1, $5)
        ON CONFLICT (organisation_id) DO NOTHING
        """,
        organisation_id,
        authority_id,
        organisation_name or f"Provider {tag}",
        reference,
        now,
    )
    reference = await conn.fetchval(
        "SELECT reference FROM payments.organisation WHERE organisation_id = $1", organisation_id
    )
    contract_id = contract_id or uuid.uuid4()
    service_id = service_id or uuid.uuid4()
    contract_name = f"Sausage Sandwich {tag}"
    await conn.execute(
        """
        INSERT INTO payments.contract
               (contract_id, authority_id, organisation_id, reference, name, payment_basis, frequency,
                pays_frustrated, pays_extras, vat_registered, start_date, end_date, active, revision,
                updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, true, true, $8, $9, NULL, true, 1, $10)
        ON CONFLICT (contract_id) DO NOTHING
        """,
        contract_id,
        authority_id,
        organisation_id,
        f"C-{uuid.uuid4().hex[:6]}",
        contract_name,
        payment_basis,
        frequency,
        vat_registered,
        cpli_start,
        now,
    )
    await conn.execute(
        """
        INSERT INTO payments.provider_service
               (service_id, authority_id, organisation_id, contract_id, reference, name, active, revision,
                updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, true, 1, $7)
        ON CONFLICT (service_id) DO NOTHING
        """,
        service_id,
        authority_id,
        organisation_id,
        contract_id,
        f"S-{uuid.uuid4().hex[:6]}",
        f"Fostering {tag}",
        now,
    )
    names = list(client_names or [f"Client {n + 1} {tag}" for n in range(len(costs))])
    client_ids, references, cpli_ids = [], [], []
    for name, cost in zip(names, costs, strict=True):
        client_id, cpli_id = uuid.uuid4(), uuid.uuid4()
        client_reference = f"C{uuid.uuid4().int % 10**7:07d}"
        await conn.execute(
            """
            INSERT INTO payments.client (client_id, authority_id, reference, name, revision, updated_at)
            VALUES ($1, $2, $3, $4, 1, $5)
            """,
            client_id,
            authority_id,
            client_reference,
            name,
            now,
        )
        await conn.execute(
            """
            INSERT INTO payments.cpli
                   (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id,
                    client_reference, service_level_id, reference, care_package_ref, start_date, end_date,
                    cost, frequency, authorised, revision, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, 'Weekly', true, 1, $13)
            """,
            cpli_id,
            authority_id,
            organisation_id,
            contract_id,
            service_id,
            client_id,
            client_reference,
            uuid.uuid4(),
            f"CPLI-{uuid.uuid4().hex[:6]}",
            f"M{uuid.uuid4().int % 10**4}/Migr:{uuid.uuid4().int % 10**6}",
            cpli_start,
            cost,
            now,
        )
        client_ids.append(client_id)
        references.append(client_reference)
        cpli_ids.append(cpli_id)
    return Payee(
        authority_id=authority_id,
        organisation_id=organisation_id,
        organisation_reference=reference,
        contract_id=contract_id,
        contract_name=contract_name,
        service_id=service_id,
        client_ids=client_ids,
        client_names=names,
        client_references=references,
        cpli_ids=cpli_ids,
        payment_basis=payment_basis,
        frequency=frequency,
    )


async def add_confirmed_week(
    conn: asyncpg.Connection, payee: Payee, *, week_commencing: date, totals: Sequence[Decimal]
) -> uuid.UUID:
    """A confirmed week of actuals as the consumer keeps it: one line per client (in order) at `totals`."""
    week_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO payments.confirmed_week
               (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing,
                payment_basis, total, confirmed, confirmed_by, confirmed_at, revision)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, 'test', now(), 1)
        """,
        week_id,
        payee.authority_id,
        payee.organisation_id,
        payee.contract_id,
        payee.service_id,
        week_commencing,
        payee.payment_basis,
        sum(totals, Decimal("0.00")),
    )
    for client_id, reference, cpli_id, total in zip(
        payee.client_ids, payee.client_references, payee.cpli_ids, totals, strict=False
    ):
        await conn.execute(
            """
            INSERT INTO payments.confirmed_line
                   (week_id, line_id, cpli_id, client_id, client_reference, service_level_id, total)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            week_id,
            uuid.uuid4(),
            cpli_id,
            client_id,
            reference,
            uuid.uuid4(),
            total,
        )
    return week_id


# --- a scheduled payment as a payment run leaves it ---------------------------------------------------


@dataclass
class SeededPayment:
    payment_id: uuid.UUID
    period_id: uuid.UUID
    run_id: uuid.UUID
    line_ids: list[uuid.UUID]
    purchase_order_ids: list[uuid.UUID]
    total: Decimal


async def ensure_schedule(
    conn: asyncpg.Connection, payee: Payee, *, anchor_date: date, vat_rate: Decimal = Decimal("0")
) -> None:
    await conn.execute(
        """
        INSERT INTO payments.schedule
               (contract_id, authority_id, organisation_id, frequency, anchor_date, amendment_days,
                finalisation_days, pay_days, vat_rate)
        VALUES ($1, $2, $3, $4, $5, 2, 4, 9, $6)
        ON CONFLICT (contract_id) DO NOTHING
        """,
        payee.contract_id,
        payee.authority_id,
        payee.organisation_id,
        payee.frequency,
        anchor_date,
        vat_rate,
    )


async def seed_payment(
    conn: asyncpg.Connection,
    payee: Payee,
    *,
    period_start: date,
    amounts: Sequence[Decimal],
    status: str = "unconfirmed",
    vat_rate: Decimal = Decimal("0"),
) -> SeededPayment:
    """A scheduled payment of the payee's contract for the period starting `period_start` (a week, or four
    for a four-weekly contract), one planned line per client (in order) at `amounts`, each on the client's
    purchase order for the year; its schedule, period and run made when missing. A `finalised` payment's
    run is finalised too."""
    days = 7 if payee.frequency == "weekly" else 28
    period_end = period_start + timedelta(days=days - 1)
    await ensure_schedule(conn, payee, anchor_date=period_start, vat_rate=vat_rate)
    period_id = await conn.fetchval(
        """
        INSERT INTO payments.period
               (period_id, authority_id, organisation_id, contract_id, start_date, end_date,
                last_amendment_date, finalisation_date, pay_date)
        VALUES ($1, $2, $3, $4, $5, $6::date, $6::date + 2, $6::date + 4, $6::date + 9)
        ON CONFLICT (contract_id, start_date) DO UPDATE SET moved = payments.period.moved
        RETURNING period_id
        """,
        uuid.uuid4(),
        payee.authority_id,
        payee.organisation_id,
        payee.contract_id,
        period_start,
        period_end,
    )
    finalised = status == "finalised"
    run_id = await conn.fetchval(
        """
        INSERT INTO payments.payment_run
               (run_id, authority_id, reference, frequency, period_start, period_end, status, created_by,
                finalised_by, finalised_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'test', $8, $9)
        ON CONFLICT (authority_id, frequency, period_start) DO UPDATE SET version = payments.payment_run.version
        RETURNING run_id
        """,
        uuid.uuid4(),
        payee.authority_id,
        f"PR-{period_start.isoformat()}-{uuid.uuid4().hex[:6]}",
        payee.frequency,
        period_start,
        period_end,
        "finalised" if finalised else "computed",
        "test" if finalised else None,
        datetime.now().astimezone() if finalised else None,
    )
    year = financial_year(period_start)
    lines: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID, Decimal, Decimal]] = []
    for client_id, cpli_id, amount in zip(payee.client_ids, payee.cpli_ids, amounts, strict=False):
        po_id = await conn.fetchval(
            """
            INSERT INTO payments.purchase_order
                   (purchase_order_id, authority_id, organisation_id, kind, number, client_id, service_id,
                    contract_id, financial_year, issued_on)
            VALUES ($1, $2, $3, 'client', $4, $5, $6, $7, $8, $9)
            ON CONFLICT (authority_id, organisation_id, kind, coalesce(client_id, organisation_id),
                         coalesce(service_id, organisation_id), financial_year)
            DO UPDATE SET issued_on = payments.purchase_order.issued_on
            RETURNING purchase_order_id
            """,
            uuid.uuid4(),
            payee.authority_id,
            payee.organisation_id,
            f"PO-{uuid.uuid4().hex[:8]}",
            client_id,
            payee.service_id,
            payee.contract_id,
            year,
            period_start,
        )
        vat = (amount * vat_rate).quantize(Decimal("0.01"))
        lines.append((uuid.uuid4(), client_id, cpli_id, po_id, amount, vat))
    excl = sum((line[4] for line in lines), Decimal("0.00"))
    vat_total = sum((line[5] for line in lines), Decimal("0.00"))
    payment_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO payments.scheduled_payment
               (payment_id, authority_id, organisation_id, contract_id, period_id, run_id, status, excl_vat,
                vat, total, finalised_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """,
        payment_id,
        payee.authority_id,
        payee.organisation_id,
        payee.contract_id,
        period_id,
        run_id,
        status,
        excl,
        vat_total,
        excl + vat_total,
        datetime.now().astimezone() if finalised else None,
    )
    for line_id, client_id, cpli_id, po_id, amount, vat in lines:
        await conn.execute(
            """
            INSERT INTO payments.payment_line
                   (line_id, payment_id, authority_id, organisation_id, contract_id, source, source_key,
                    client_id, purchase_order_id, service_start, service_end, adjustment, excl_vat, vat, total)
            VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, $8, $9, $10, false, $11, $12, $13)
            """,
            line_id,
            payment_id,
            payee.authority_id,
            payee.organisation_id,
            payee.contract_id,
            f"planned:{cpli_id}:{period_start.isoformat()}",
            client_id,
            po_id,
            period_start,
            period_end,
            amount,
            vat,
            amount + vat,
        )
    return SeededPayment(
        payment_id=payment_id,
        period_id=period_id,
        run_id=run_id,
        line_ids=[line[0] for line in lines],
        purchase_order_ids=[line[3] for line in lines],
        total=excl + vat_total,
    )
