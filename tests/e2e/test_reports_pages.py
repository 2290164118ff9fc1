"""The Reports pages through the real gateway, reports service and render worker: the council's
catalogue, a report's parameters (bad ones shown at their fields, nothing run), View (PDF, opened in the
browser) and Download Data (CSV, downloaded) from the run's page once rendered, My reports; a Care user
is refused, another provider's run is "Page not found"."""

from __future__ import annotations

import re

import httpx

from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.claims_pages import cells, summary
from tests.support.inprocess import eventually
from tests.support.portal_login import new_user

SLUG = "telford-wrekin"
TITLES = [
    "Commissioned Vs Actuals",
    "Pending Payments Exceptions",
    "Pending Scheduled Payments",
    "Remittance Advice Provider Payments",
    "Annual Statement of Foster Carer Payments",
    "Purchase Order",
    "Provider Organisations",
]


async def run(client: httpx.AsyncClient, key: str, data: dict[str, str]) -> httpx.Response:
    form = await client.get(f"/{SLUG}/reports/{key}")
    assert form.status_code == 200, form.text[:500]
    return await client.post(f"/{SLUG}/reports/{key}", data={"csrf_token": csrf_of(form), **data})


async def rendered(client: httpx.AsyncClient, run_page: str) -> str:
    async def done() -> str | None:
        page = await client.get(run_page)
        assert page.status_code == 200, page.text[:500]
        if 'id="run-done"' in page.text:
            return page.text
        assert 'http-equiv="refresh"' in page.text and 'id="run-progress"' in page.text
        return None

    return await eventually(done, timeout=30, interval=0.3)  # type: ignore[no-any-return]


async def test_a_finance_user_views_and_downloads_a_report_and_finds_it_in_my_reports(stack):
    user = await new_user(stack, slug=SLUG, role="finance", can_edit=False)
    async with await pages_client(stack, user) as client:
        home = await client.get(f"/{SLUG}/home")
        assert f'href="/{SLUG}/reports">Reports<' in home.text
        catalogue = await client.get(f"/{SLUG}/reports")
        assert catalogue.status_code == 200
        assert (
            re.findall(
                r'<h2 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)<',
                catalogue.text,
            )
            == TITLES
        )

        statement = await client.get(f"/{SLUG}/reports/annual-statement-foster-carer")
        assert 'id="tax_year"' in statement.text and 'id="organisation_id"' not in statement.text
        refused = await run(client, "annual-statement-foster-carer", {"tax_year": "2018/20", "format": "pdf"})
        assert refused.status_code == 422
        assert summary(refused.text) == ["tax_year"]
        assert "2018/20 is not a year: the second year follows the first, like 2018/19" in refused.text
        assert 'value="2018/20"' in refused.text  # what was typed, shown again

        viewed = await run(client, "organisation-directory", {"format": "pdf"})
        assert viewed.status_code == 303, viewed.text[:500]
        pdf_page = viewed.headers["location"]
        downloaded = await run(client, "organisation-directory", {"format": "csv"})
        csv_page = downloaded.headers["location"]

        page = await rendered(client, pdf_page)
        assert "Open the report (PDF)" in page and 'http-equiv="refresh"' not in page
        pdf = await client.get(f"{pdf_page}/file")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("inline;")

        page = await rendered(client, csv_page)
        assert "Download the data (CSV)" in page
        data = await client.get(f"{csv_page}/file")
        assert data.headers["content-disposition"].startswith("attachment;")
        assert data.content.decode("utf-8-sig").splitlines()[0] == "Organisation,Reference,Status"

        mine = await client.get(f"/{SLUG}/reports/mine")
        rows = cells(mine.text, "my-reports")
        assert [(r[0], r[2], r[3]) for r in rows] == [
            ("Provider Organisations", "Download Data (CSV)", "Ready"),
            ("Provider Organisations", "View (PDF)", "Ready"),
        ]
        assert f'href="{csv_page}"' in mine.text and f'href="{pdf_page}"' in mine.text

    other = await new_user(stack, slug=SLUG, role="finance")
    async with await pages_client(stack, other) as client:
        assert (await client.get(pdf_page)).status_code == 404
        assert (await client.get(f"{pdf_page}/file")).status_code == 404
        theirs = await client.get(f"/{SLUG}/reports/mine")
        assert 'id="no-runs"' in theirs.text and 'id="my-reports"' not in theirs.text


async def test_care_management_has_no_reports(stack):
    user = await new_user(stack, slug=SLUG, role="care")
    async with await pages_client(stack, user) as client:
        home = await client.get(f"/{SLUG}/home")
        assert f'href="/{SLUG}/reports"' not in home.text
        page = await client.get(f"/{SLUG}/reports")
        assert page.status_code == 403
        assert "You do not have access to Reports" in page.text
