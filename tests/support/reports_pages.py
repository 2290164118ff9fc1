"""The Reports pages for the browser test and `make screenshots`: a provider of a portal council whose
organisation, contract, children and a tax year of paid remittances are in reports' read model (put there
by reports' own consumer handlers, as the other services' events would), a logged-in user of it, and a
walk of the pages in a browser: the catalogue, the annual statement's parameters (picked from lists),
its run once the render worker has done it (PDF), the same report as a web page (the HTML view), its
data (CSV), and My reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from playwright.async_api import Page

from shared.events import ClientUpserted, ContractUpserted
from tests.reports.integration.readmodel import deliver, line, payment, remittance
from tests.support.portal_login import PortalUser, Visit, log_in, new_user
from tests.support.reports import project_organisation
from tests.support.stack import Stack

SLUG = "telford-wrekin"
STATEMENT = "annual-statement-foster-carer"
TAX_YEAR = "2019/20"
FIRST_WEEK = date(2019, 4, 8)  # paid from 22 April 2019: tax year 2019/20
WEEKS = 4
BART, LISA = "Simpson, Bart", "Simpson, Lisa"
WEEKLY = {BART: "353.08", LISA: "303.03"}  # a week of care allowance for each child


@dataclass
class ReportsProvider:
    user: PortalUser
    organisation: str  # its name, as the reports print it

    @property
    def reports(self) -> str:
        return f"/{self.user.tenant.slug}/reports"


async def reports_provider(stack: Stack, *, slug: str = SLUG) -> ReportsProvider:
    """A fresh Finance user of a provider of `slug`, its organisation in reports' projection with a
    fostering contract, two children and WEEKS weeks of finalised payments with their remittances."""
    user = await new_user(stack, slug=slug, role="finance", can_edit=False)
    organisation_id = user.tenant.organisations["A"]
    name = await project_organisation(stack.env, organisation_id)
    authority_id = user.tenant.authority_id
    now = datetime.now(UTC)
    contract = ContractUpserted(
        contract_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=organisation_id,
        reference="C-FOST-0148",
        name="Fostering",
        payment_basis="planned",
        frequency="weekly",
        pays_frustrated=False,
        pays_extras=False,
        vat_registered=False,
        active=True,
        revision=1,
        updated_at=now,
    )
    children = {
        child: ClientUpserted(
            client_id=uuid.uuid4(),
            authority_id=authority_id,
            reference=f"C{n}",
            name=child,
            date_of_birth=date(2010 + 2 * n, 4, 1),
            revision=1,
            updated_at=now,
        )
        for n, child in enumerate(WEEKLY)
    }
    events: list = [contract, *children.values()]
    for week in range(WEEKS):
        start = FIRST_WEEK + timedelta(days=7 * week)
        state = payment(
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=contract.contract_id,
            period_start=start,
            lines=[
                line(client_id=c.client_id, client_name=c.name, start=start, total=WEEKLY[c.name])
                for c in children.values()
            ],
            status="finalised",
            contract_name=contract.name,
        )
        events += [state, remittance(state, reference=f"RA-{week + 1}")]
    await deliver(stack.env, *events)
    return ReportsProvider(user, name)


async def walk_reports_pages(page: Page, stack: Stack, visit: Visit, *, slug: str = SLUG) -> list[str]:
    """From the home card: the catalogue, the annual statement's parameters (its tax years listed),
    the run once rendered (View, PDF), the same as a web page, its data (CSV) and My reports. Calls
    `visit(page, name)` on each page; the files' links are checked to give a PDF and a CSV."""
    provider = await reports_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    async def done() -> None:
        """The run's page once the render worker has done it (it reloads itself until then)."""
        await page.wait_for_selector("#run-done", timeout=60_000)

    await log_in(page, stack.url, provider.user)
    async with page.expect_navigation():
        await page.click("a.portal-card__link:has-text('Reports')")
    await at("reports-catalogue")
    async with page.expect_navigation():
        await page.click("#reports a:has-text('Annual Statement of Foster Carer Payments')")
    await page.check(f"input[name='tax_year'][value='{TAX_YEAR}']")
    await at("reports-parameters")

    async with page.expect_navigation():
        await page.click("#view")
    await done()
    await at("reports-run-done")
    pdf = await page.request.get(stack.url + await _href(page, "#run-file"))
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF"), pdf.status

    async with page.expect_navigation():
        await page.click("#again-web-page")
    await done()
    async with page.expect_navigation():
        await page.click("#run-view")
    await at("reports-web-view")

    await page.goto(f"{stack.url}{provider.reports}/{STATEMENT}")
    await page.check(f"input[name='tax_year'][value='{TAX_YEAR}']")
    async with page.expect_navigation():
        await page.click("#download-data")
    await done()
    data = await page.request.get(stack.url + await _href(page, "#run-file"))
    assert data.ok and "attachment" in data.headers["content-disposition"], data.status
    assert (await data.body()).decode("utf-8-sig").splitlines()[0].startswith("Child,Date of birth")

    async with page.expect_navigation():
        await page.click("a:has-text('My reports')")
    await at("reports-mine")
    return seen


async def _href(page: Page, selector: str) -> str:
    href = await page.get_attribute(selector, "href")
    assert href, f"no link {selector}"
    return href
