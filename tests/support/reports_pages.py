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
from decimal import Decimal
from typing import Any

from playwright.async_api import Page

from shared.events import (
    ClientUpserted,
    ConfirmedLine,
    ContractUpserted,
    ProviderServiceUpserted,
    WeekConfirmed,
)
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


@dataclass(frozen=True)
class Scenario:
    """What `fill_read_model` put in reports' read model, for the reports' parameters."""

    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    purchase_order_id: uuid.UUID
    first_week: date = FIRST_WEEK


async def fill_read_model(env: Any, *, authority_id: uuid.UUID, organisation_id: uuid.UUID) -> Scenario:
    """A fostering contract of the organisation, two children, WEEKS weeks of finalised payments with
    their remittances (tax year 2019/20, on one purchase order), the next week's payment unconfirmed
    with a line disputed (pending, and an exception), and the first week's actuals confirmed."""
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
    service = ProviderServiceUpserted(
        service_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=organisation_id,
        contract_id=contract.contract_id,
        reference="S-FOST-1",
        name="Foster Care",
        active=True,
        revision=1,
        updated_at=now,
    )
    children = [
        ClientUpserted(
            client_id=uuid.uuid4(),
            authority_id=authority_id,
            reference=f"C{n}",
            name=child,
            date_of_birth=date(2010 + 2 * n, 4, 1),
            revision=1,
            updated_at=now,
        )
        for n, child in enumerate(WEEKLY)
    ]
    order = uuid.uuid4()
    events: list[Any] = [contract, service, *children]

    def pay(start: date, status: str, disputed: bool = False) -> Any:
        return payment(
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=contract.contract_id,
            period_start=start,
            lines=[
                line(
                    client_id=c.client_id,
                    client_name=c.name,
                    start=start,
                    total=WEEKLY[c.name],
                    purchase_order_id=order,
                    status="disputed" if disputed and n == 1 else "payable",
                    reason="Placement ended early" if disputed and n == 1 else None,
                )
                for n, c in enumerate(children)
            ],
            status=status,
            contract_name=contract.name,
        )

    for week in range(WEEKS):
        state = pay(FIRST_WEEK + timedelta(days=7 * week), "finalised")
        events += [state, remittance(state, reference=f"RA-{week + 1}")]
    events.append(pay(FIRST_WEEK + timedelta(days=7 * WEEKS), "unconfirmed", disputed=True))
    events.append(_confirmed_week(contract, service, children, FIRST_WEEK, now))
    await deliver(env, *events)
    return Scenario(organisation_id, contract.contract_id, order)


def _confirmed_week(
    contract: ContractUpserted,
    service: ProviderServiceUpserted,
    children: list[ClientUpserted],
    monday: date,
    now: datetime,
) -> WeekConfirmed:
    """A week of actuals as the provider confirmed it: 7 nights planned for each child, 6 delivered for
    the second."""
    rate = Decimal("50.44")
    lines = [
        ConfirmedLine(
            line_id=uuid.uuid4(),
            cpli_id=uuid.uuid4(),
            client_id=c.client_id,
            client_reference=c.reference,
            service_level_id=uuid.uuid4(),
            unit="Nights",
            actual=Decimal(7 - n),
            planned=Decimal(7),
            frustrated=Decimal(0),
            missed=Decimal(n),
            extra=Decimal(0),
            unit_rate=rate,
            averaged=False,
            total=(Decimal(7 - n) * rate).quantize(Decimal("0.01")),
            planned_total=(Decimal(7) * rate).quantize(Decimal("0.01")),
            comment="",
        )
        for n, c in enumerate(children)
    ]
    return WeekConfirmed(
        week_id=uuid.uuid4(),
        authority_id=contract.authority_id,
        organisation_id=contract.organisation_id,
        contract_id=contract.contract_id,
        service_id=service.service_id,
        week_commencing=monday,
        payment_basis="actuals",
        lines=lines,
        total=sum((x.total for x in lines), Decimal(0)),
        planned_total=sum((x.planned_total for x in lines), Decimal(0)),
        confirmed_by="user-1",
        confirmed_at=now,
        revision=1,
    )


async def reports_provider(stack: Stack, *, slug: str = SLUG) -> ReportsProvider:
    """A fresh Finance user of a provider of `slug`, its organisation in reports' projection with the
    read model `fill_read_model` makes."""
    user = await new_user(stack, slug=slug, role="finance", can_edit=False)
    organisation_id = user.tenant.organisations["A"]
    name = await project_organisation(stack.env, organisation_id)
    await fill_read_model(stack.env, authority_id=user.tenant.authority_id, organisation_id=organisation_id)
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
