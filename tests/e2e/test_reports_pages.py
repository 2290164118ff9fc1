"""The Reports pages through the real gateway, reports service and render worker: the council's
catalogue, a report's parameters (picked from lists, bad ones shown at their fields, nothing run), View
(PDF, opened in the browser), Download Data (CSV, downloaded) and View as a web page (the HTML view in
the portal's page, in the council's audit log like a download) from the run's page once rendered, My
reports; a Care user is refused, another provider's run is "Page not found"."""

from __future__ import annotations

import re

import httpx

from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.claims_pages import cells, summary
from tests.support.identity import bearer
from tests.support.inprocess import eventually
from tests.support.portal_login import new_user
from tests.support.reports import project_organisation

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
        assert 'name="tax_year" type="radio"' in statement.text  # the tax years, picked from a list
        assert 'id="own-organisation"' in statement.text  # the provider's own, named, never asked
        refused = await run(client, "annual-statement-foster-carer", {"tax_year": "2018/20", "format": "pdf"})
        assert refused.status_code == 422
        assert summary(refused.text) == ["tax_year"]
        assert "2018/20 is not a year: the second year follows the first, like 2018/19" in refused.text
        assert 'aria-describedby="tax_year-error"' in refused.text  # at the field, the list shown again
        unchosen = await run(client, "annual-statement-foster-carer", {"format": "pdf"})
        assert unchosen.status_code == 422 and summary(unchosen.text) == ["tax_year"]
        assert "Select the tax year" in unchosen.text and "Enter the tax year" not in unchosen.text

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


async def test_council_staff_run_a_report_for_a_provider_they_pick(stack):
    user = await new_user(stack, slug=SLUG, council=True)
    async with await pages_client(stack, user) as client:
        home = await client.get(f"/{SLUG}/home")
        cards = re.findall(r'portal-card__link" href="([^"]+)">([^<]+)<', home.text)
        assert cards == [(f"/{SLUG}/reports", "Reports")]  # the one provider task council staff have
        catalogue = await client.get(f"/{SLUG}/reports")
        assert catalogue.status_code == 200 and "Provider Organisations" in catalogue.text
        statement = await client.get(f"/{SLUG}/reports/annual-statement-foster-carer")
        assert statement.status_code == 200
        assert 'id="organisation_id"' in statement.text and 'id="own-organisation"' not in statement.text
        viewed = await run(client, "organisation-directory", {"format": "csv"})
        assert viewed.status_code == 303, viewed.text[:500]
        page = await rendered(client, viewed.headers["location"])
        assert "Download the data (CSV)" in page
        # the provider's other tasks stay closed to council staff
        assert (await client.get(f"/{SLUG}/actuals")).status_code == 403


async def test_care_management_has_no_reports(stack):
    user = await new_user(stack, slug=SLUG, role="care")
    async with await pages_client(stack, user) as client:
        home = await client.get(f"/{SLUG}/home")
        assert f'href="/{SLUG}/reports"' not in home.text
        page = await client.get(f"/{SLUG}/reports")
        assert page.status_code == 403
        assert "You do not have access to Reports" in page.text


async def test_a_report_viewed_as_a_web_page_in_the_portal_and_in_the_audit_log(stack):
    user = await new_user(stack, slug=SLUG, role="finance", can_edit=False)
    name = await project_organisation(stack.env, user.tenant.organisations["A"])
    async with await pages_client(stack, user) as client:
        choices = await client.get("/api/v1/reports/choices")
        assert [c["label"] for c in choices.json()["organisation_id"]] == [name]
        form = await client.get(f"/{SLUG}/reports/organisation-directory")
        assert 'name="format" value="html"' in form.text and ">View as a web page<" in form.text
        asked = await run(client, "organisation-directory", {"format": "html"})
        assert asked.status_code == 303, asked.text[:500]
        run_page = asked.headers["location"]
        page = await rendered(client, run_page)
        assert f'href="{run_page}/view">View the report as a web page<' in page
        assert 'id="run-file"' not in page
        view = await client.get(f"{run_page}/view")
        assert view.status_code == 200, view.text[:500]
        assert '<h1 class="govuk-heading-l">Provider Organisations</h1>' in view.text
        assert '<div class="portal-table-scroll" tabindex="0" role="region"' in view.text
        names = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', view.text)
        assert names == [name]  # the provider's own organisation only
        assert "script-src 'self'" in view.headers["content-security-policy"]

        # From a PDF run's page, the same parameters again as a web page.
        pdf = await run(client, "organisation-directory", {"format": "pdf"})
        await rendered(client, pdf.headers["location"])
        pdf_page = await client.get(pdf.headers["location"])
        assert 'id="again-web-page"' in pdf_page.text
        again = await client.post(
            f"/{SLUG}/reports/organisation-directory",
            data={"csrf_token": csrf_of(pdf_page), "format": "html"},
        )
        assert again.status_code == 303
        assert (await client.get(f"{pdf.headers['location']}/view")).status_code == 404  # not a web page

    other = await new_user(stack, slug=SLUG, role="finance")
    async with await pages_client(stack, other) as client:
        assert (await client.get(f"{run_page}/view")).status_code == 404

    run_id = run_page.rsplit("/", 1)[1]
    council = bearer(stack.env.council_token(user.tenant.authority_id))
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as api:

        async def audited() -> list[dict]:
            entries = await api.get(
                "/council/v1/identity/audit", params={"action": "report_downloaded"}, headers=council
            )
            assert entries.status_code == 200, entries.text
            return [e for e in entries.json() if e["detail"].get("run_id") == run_id]

        (entry,) = await eventually(audited, timeout=30, interval=0.3)
    assert (entry["detail"]["format"], entry["detail"]["report"]) == ("html", "organisation-directory")
    assert entry["actor_id"] == user.user_id
