"""The Purchase Orders and remittance pages for the end-to-end and browser tests and `make screenshots`:
a provider of a portal council with the Durham scenario written into payments' schema (two children,
two finalised weeks, an adjustment, a one-off claim of 64.00: tests/payments/integration/po_scenario.py),
its address and the council's terms as the services keep them, a logged-in user of it, and a walk of
the pages for the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from playwright.async_api import Page

from tests.payments.integration.po_scenario import Scenario, build_scenario
from tests.payments.support import payments_conn
from tests.support.identity import Tenant, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user
from tests.support.stack import Stack

DURHAM = "durham-childrens"
ADDRESS = "1 The Gatehouse\nDarlington"
POSTCODE = "DL1 3HA"
TERMS = "30 days from receipt of invoice"
INVOICE_ADDRESS = "Durham County Council\nCounty Hall\nDurham"
DELIVERY_ADDRESS = "Children's Services\nCounty Hall\nDurham"


@dataclass
class OrdersProvider:
    tenant: Tenant
    user: PortalUser
    scenario: Scenario

    @property
    def orders(self) -> str:
        return f"/{self.tenant.slug}/purchase-orders"

    @property
    def remittances(self) -> str:
        return f"/{self.tenant.slug}/remittances"


async def orders_provider(
    stack: Stack, *, slug: str = DURHAM, role: str = "full", can_edit: bool = True, settings: bool = True
) -> OrdersProvider:
    """A fresh provider of `slug` with the scenario's orders and remittances, its postal address, (with
    `settings`) the council's terms and addresses, and a user of `role` whose first login is done."""
    tenant = await portal_tenant(stack.env, slug)
    organisation_id = tenant.organisations["A"]
    async with payments_conn(stack.env) as conn:
        scenario = await build_scenario(
            conn, authority_id=tenant.authority_id, organisation_id=organisation_id
        )
        await conn.execute(
            """
            INSERT INTO payments.supplier
                   (organisation_id, authority_id, name, address, postcode, revision, updated_at)
            SELECT organisation_id, authority_id, name, $2, $3, revision, $4
              FROM payments.organisation WHERE organisation_id = $1
            ON CONFLICT (organisation_id) DO UPDATE SET address = $2, postcode = $3
            """,
            organisation_id,
            ADDRESS,
            POSTCODE,
            datetime.now().astimezone(),
        )
        if settings:
            await conn.execute(
                """
                INSERT INTO payments.council_settings
                       (authority_id, payment_terms, invoice_address, delivery_address, updated_by)
                VALUES ($1, $2, $3, $4, 'test')
                ON CONFLICT (authority_id) DO UPDATE
                   SET payment_terms = $2, invoice_address = $3, delivery_address = $4
                """,
                tenant.authority_id,
                TERMS,
                INVOICE_ADDRESS,
                DELIVERY_ADDRESS,
            )
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return OrdersProvider(tenant, user, scenario)


# --- In a browser ---------------------------------------------------------------------------------


async def walk_purchase_orders_pages(
    page: Page, stack: Stack, visit: Visit, *, slug: str = DURHAM
) -> list[str]:
    """From the home card: the list (2019/2020 chosen), a child's purchase order, the remittance list,
    a remittance by finalisation and by period. Calls `visit(page, name)` on each page."""
    provider = await orders_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, provider.user)
    async with page.expect_navigation():
        await page.click("a.portal-card__link:has-text('Purchase Orders')")
    await page.select_option("#financial_year", "2019/2020")
    async with page.expect_navigation():
        await page.click("form.portal-filters button")
    await at("purchase-orders-list")
    async with page.expect_navigation():
        await page.click("#purchase-orders a:has-text('Simpson, Bart')")
    await at("purchase-orders-order")
    await page.emulate_media(media="print")
    await at("purchase-orders-order-print")
    await page.emulate_media(media="screen")
    await page.goto(f"{stack.url}{provider.remittances}?financial_year=2019%2F2020")
    await at("remittance-list")
    async with page.expect_navigation():
        await page.click(f"#remittances a[href$='{provider.scenario.remittances[1]}']")
    await at("remittance-advice")
    async with page.expect_navigation():
        await page.click("a:has-text('View by period')")
    await at("remittance-by-period")
    return seen
