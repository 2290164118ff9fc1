"""The Scheduled Payments pages for the end-to-end and browser tests and `make screenshots`: a provider
of a portal council with payments as a payment run leaves them (tests.payments.support: a finalised
week, the CURRENT unconfirmed one, a later one), a logged-in user of it, the pages' rows read back, and
a walk of the seed's journey for the browser (view a payment, confirm it, dispute a line of another)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx
from playwright.async_api import Page

from tests.payments.support import Payee, SeededPayment, build_payee, payments_conn, seed_payment
from tests.support.actuals_pages import csrf_of
from tests.support.identity import Tenant, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user
from tests.support.stack import Stack

DURHAM = "durham-childrens"
CHILDREN = ("Simpson, Bart", "Testing, CLA")
AMOUNTS = (Decimal("353.08"), Decimal("303.03"))  # seed 004: 656.11


@dataclass
class PaymentsProvider:
    tenant: Tenant
    user: PortalUser
    payee: Payee
    finalised: SeededPayment  # three weeks ago
    current: SeededPayment  # two weeks ago: the earliest not finalised
    later: SeededPayment  # last week

    @property
    def base(self) -> str:
        return f"/{self.tenant.slug}/scheduled-payments"


def monday(weeks_ago: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


async def payments_provider(
    stack: Stack, *, slug: str = DURHAM, role: str = "finance", can_edit: bool = True
) -> PaymentsProvider:
    """A fresh provider of `slug` paid weekly on one contract for two children, with three payments, and
    a user of `role` whose first login is done."""
    tenant = await portal_tenant(stack.env, slug)
    async with payments_conn(stack.env) as conn:
        payee = await build_payee(
            conn,
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            costs=AMOUNTS,
            client_names=CHILDREN,
            label="",
        )
        finalised = await seed_payment(
            conn, payee, period_start=monday(3), amounts=AMOUNTS, status="finalised"
        )
        current = await seed_payment(conn, payee, period_start=monday(2), amounts=AMOUNTS)
        later = await seed_payment(
            conn, payee, period_start=monday(1), amounts=(Decimal("353.08"), Decimal("735.93"))
        )
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return PaymentsProvider(tenant, user, payee, finalised, current, later)


async def another_provider(stack: Stack, slug: str = DURHAM) -> PaymentsProvider:
    return await payments_provider(stack, slug=slug)


# --- Reading the pages ----------------------------------------------------------------------------


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


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


def summary(html: str) -> list[str]:
    """The GOV.UK error summary's links (the fields named), or [] without one."""
    if "govuk-error-summary__list" not in html:
        return []
    listed = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([a-z_]+)">', listed)


async def post_on(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, str | list[str]]
) -> httpx.Response:
    """GET the payment's page (for its form's token and version), then POST `data` to `action`."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    form = {"csrf_token": csrf_of(page), "version": hidden(page.text, "version"), **data}
    return await client.post(action, data=form)


def line_id(payment: SeededPayment, n: int) -> str:
    return str(payment.line_ids[n])


def any_id() -> str:
    return str(uuid.uuid4())


# --- In a browser ---------------------------------------------------------------------------------


async def walk_scheduled_payments_pages(
    page: Page, stack: Stack, visit: Visit, *, slug: str = DURHAM
) -> list[str]:
    """The seed's journey: the list with the CURRENT period, the current payment opened and confirmed,
    the next one opened and its first line disputed with a reason (first refused without one). Calls
    `visit(page, name)` on each page."""
    provider = await payments_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, provider.user)
    await page.goto(f"{stack.url}{provider.base}")
    await at("scheduled-payments-list")
    async with page.expect_navigation():
        await page.click(f"a[href$='/scheduled-payments/{provider.current.payment_id}']")
    await at("scheduled-payments-payment")
    async with page.expect_navigation():
        await page.click("#confirm-payment")
    await at("scheduled-payments-confirmed")
    await page.goto(f"{stack.url}{provider.base}/{provider.later.payment_id}")
    await page.check("#line_ids-1")
    async with page.expect_navigation():
        await page.click("#dispute-payment")
    await at("scheduled-payments-dispute-errors")
    await page.fill("#reason", "Bart left on 3 October")
    async with page.expect_navigation():
        await page.click("#dispute-payment")
    await at("scheduled-payments-disputed")
    return seen
