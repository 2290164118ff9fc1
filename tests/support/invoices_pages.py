"""The Invoices pages for the end-to-end and browser tests and `make screenshots`: a provider of a portal
council with a contract paid on actuals and confirmed weeks of it (payments' projection, written as its
consumers leave it: tests/payments/support.py), a logged-in user of it, the pages read back, and a walk of
the journey for the browser (a new invoice from a week, submitted, viewed, retracted)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from playwright.async_api import Page

from tests.payments.support import Payee, add_confirmed_week, build_payee, payments_conn
from tests.support.identity import Tenant, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user, submit
from tests.support.stack import Stack

DURHAM = "durham-childrens"
CHILDREN = ("Testing, CLA", "Sample, CLB")
WEEK = date(2019, 9, 30)
DURHAM_WEEK = (Decimal("353.08"), Decimal("303.03"))  # the seeds' week of Durham: £656.11


@dataclass
class InvoicesProvider:
    tenant: Tenant
    user: PortalUser
    payee: Payee
    weeks: list[uuid.UUID] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"/{self.tenant.slug}/invoices"


async def invoices_provider(
    stack: Stack,
    *,
    slug: str = DURHAM,
    role: str = "finance",
    can_edit: bool = True,
    weeks: int = 2,
    vat_registered: bool = True,
) -> InvoicesProvider:
    """A fresh provider of `slug` with a contract paid on actuals, two children, `weeks` confirmed weeks
    from the seeds' 30/09/2019 (the first the seeds' £656.11), and a user of `role` logged in once."""
    tenant = await portal_tenant(stack.env, slug)
    async with payments_conn(stack.env) as conn:
        payee = await build_payee(
            conn,
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            payment_basis="actuals",
            vat_registered=vat_registered,
            client_names=CHILDREN,
            label="Durham",
        )
        made = [
            await add_confirmed_week(
                conn,
                payee,
                week_commencing=WEEK + timedelta(days=7 * n),
                totals=list(DURHAM_WEEK) if n == 0 else [Decimal("100.00"), Decimal("50.50")],
            )
            for n in range(weeks)
        ]
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return InvoicesProvider(tenant, user, payee, made)


def invoice_id_of(location: str) -> str:
    found = re.search(r"/invoices/([0-9a-f-]{36})", location)
    assert found, location
    return found.group(1)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table `table_id`."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def summary(html: str) -> list[str]:
    """The GOV.UK error summary's messages, or [] without one."""
    if "govuk-error-summary__list" not in html:
        return []
    listed = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", listed, re.S)]


# --- In a browser ---------------------------------------------------------------------------------


async def walk_invoices_pages(page: Page, stack: Stack, visit: Visit, *, slug: str = DURHAM) -> list[str]:
    """The journey: the list, a new invoice (first with no week chosen: refused), from the seeds' week,
    submitted, then retracted with its reason: the credit note. Calls `visit(page, name)` on each page."""
    provider = await invoices_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, provider.user)
    await page.goto(f"{stack.url}{provider.base}")
    await at("invoices-list")
    async with page.expect_navigation():
        await page.click("#new-invoice")
    await at("invoices-new")
    await submit(page)
    await at("invoices-new-errors")
    await page.check("#weeks")
    await page.fill("#provider_reference", "SEPT-2019-1")
    await submit(page)
    await at("invoices-draft")
    async with page.expect_navigation():
        await page.click("#submit-invoice")
    await at("invoices-submitted")
    async with page.expect_navigation():
        await page.click("#retract-invoice")
    await at("invoices-retract")
    await page.fill("#reason", "Raised against the wrong week")
    await submit(page)
    await at("invoices-credit-note")
    return seen
