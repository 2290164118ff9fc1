"""What the parameters form offers to pick from (the read model, migration 0003): the organisations,
contracts, payment periods and years the caller may run a report over. Every query is limited to the
caller's rows (`{scope}`: their authority and, for a provider, their organisation and contract or
service scope), so a list never names another tenant's organisation or contract."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from shared.records import Record
from shared.store import AnyScope, fetch

LIMIT = 1000  # a pick list longer than this is no pick list: the form would be unusable anyway


class OrganisationChoice(Record):
    organisation_id: uuid.UUID
    name: str
    active: bool


class ContractChoice(Record):
    contract_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str | None
    reference: str
    name: str
    frequency: str


class PeriodChoice(Record):
    period_start: date
    period_ends: list[date]


class YearChoice(Record):
    start_year: int


class RemittanceChoice(Record):
    remittance_id: uuid.UUID
    reference: str
    pay_date: date


class OrderChoice(Record):
    purchase_order_id: uuid.UUID
    number: str


async def organisations(*, conn: asyncpg.Connection, scope: AnyScope) -> list[OrganisationChoice]:
    """The organisations by name, open ones first."""
    return await fetch(
        conn,
        OrganisationChoice,
        f"""
        SELECT organisation_id, name, active FROM reports.organisation
         WHERE {{scope}} ORDER BY NOT active, name, organisation_id LIMIT {LIMIT}
        """,
        scope=scope,
    )


async def contracts(*, conn: asyncpg.Connection, scope: AnyScope) -> list[ContractChoice]:
    """The contracts by organisation and name."""
    return await fetch(
        conn,
        ContractChoice,
        f"""
        SELECT c.contract_id, c.organisation_id, o.name AS organisation_name, c.reference, c.name,
               c.frequency
          FROM reports.contract c
          LEFT JOIN reports.organisation o ON o.organisation_id = c.organisation_id
         WHERE {{scope}}
         ORDER BY o.name, c.organisation_id, c.name, c.reference, c.contract_id LIMIT {LIMIT}
        """,
        scope=scope,
    )


async def periods(*, conn: asyncpg.Connection, scope: AnyScope) -> list[PeriodChoice]:
    """The payment periods remittances were issued for, newest first (a remittance advice is of one)."""
    return await fetch(
        conn,
        PeriodChoice,
        f"""
        SELECT period_start, array_agg(DISTINCT period_end ORDER BY period_end) AS period_ends
          FROM reports.remittance WHERE {{scope}}
         GROUP BY period_start ORDER BY period_start DESC LIMIT {LIMIT}
        """,
        scope=scope,
    )


async def tax_years(*, conn: asyncpg.Connection, scope: AnyScope) -> list[YearChoice]:
    """The tax years (6 April to 5 April) something was paid in, by the year they start in."""
    return await fetch(
        conn,
        YearChoice,
        """
        SELECT DISTINCT CASE WHEN pay_date >= make_date(extract(year FROM pay_date)::int, 4, 6)
                             THEN extract(year FROM pay_date)::int
                             ELSE extract(year FROM pay_date)::int - 1 END AS start_year
          FROM reports.remittance WHERE {scope}
        """,
        scope=scope,
    )


async def financial_years(*, conn: asyncpg.Connection, scope: AnyScope) -> list[YearChoice]:
    """The financial years (1 April to 31 March) with weeks of actuals confirmed."""
    return await fetch(
        conn,
        YearChoice,
        """
        SELECT DISTINCT CASE WHEN extract(month FROM week_commencing) >= 4
                             THEN extract(year FROM week_commencing)::int
                             ELSE extract(year FROM week_commencing)::int - 1 END AS start_year
          FROM reports.confirmed_week WHERE {scope} AND confirmed
        """,
        scope=scope,
    )


async def remittances(*, conn: asyncpg.Connection, scope: AnyScope) -> list[RemittanceChoice]:
    """The remittances, newest pay date first (the Remittance Advice report is of one)."""
    return await fetch(
        conn,
        RemittanceChoice,
        f"""
        SELECT remittance_id, reference, pay_date FROM reports.remittance
         WHERE {{scope}} ORDER BY pay_date DESC, reference LIMIT {LIMIT}
        """,
        scope=scope,
    )


async def purchase_orders(*, conn: asyncpg.Connection, scope: AnyScope) -> list[OrderChoice]:
    """The purchase orders payments were made against, newest number first (the Purchase Order report is
    of one)."""
    return await fetch(
        conn,
        OrderChoice,
        f"""
        SELECT l.purchase_order_id, min(l.purchase_order_number) AS number
          FROM reports.payment_line l JOIN reports.scheduled_payment p USING (payment_id)
         WHERE {{scope}} GROUP BY l.purchase_order_id ORDER BY number DESC LIMIT {LIMIT}
        """,
        scope=scope,
    )
