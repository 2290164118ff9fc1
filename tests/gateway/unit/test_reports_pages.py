"""The Reports pages' own work, without other services: the service's refusals at the form's fields,
the parameters form (pick lists where the service lists the values, boxes to type in where it does
not), the run page in each state (refreshing itself without JavaScript, live with it, until the file is
ready or the run failed) and the HTML view's fragment, cleaned before it reaches the page."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request

from gateway.config import Settings
from gateway.main import create_gateway
from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.forms import FormErrors
from gateway.web.reports import pages
from gateway.web.viewer import Viewer
from shared.auth import Role
from tests.support.branding import demo_branding_source
from tests.support.inprocess import no_upstreams

READER = Viewer("Rita Reader", "Sausage Sandwich", Role.finance, False, "durham-childrens")
RUN_ID = "6f4e2d5b-0a7c-4b3d-8e4f-5d6a7b8c9d04"
STATEMENT = {
    "key": "annual-statement-foster-carer",
    "title": "Annual Statement of Foster Carer Payments",
    "description": "A tax year's payments.",
    "parameters": [
        {"name": "organisation_id", "label": "Organisation", "required": True},
        {"name": "tax_year", "label": "Tax year", "required": True},
    ],
}
REMITTANCE = {
    "key": "remittance-advice",
    "title": "Remittance Advice Provider Payments",
    "description": "What was paid.",
    "parameters": [
        {"name": "contract_id", "label": "Contract", "required": True},
        {"name": "payment_method", "label": "Payment method", "required": False},
        {"name": "summary", "label": "Summary", "required": False},
    ],
}


@pytest.fixture(scope="module")
def app():
    app = create_gateway(
        Settings(environment="test", identity_secret="no-identity-here", metrics_port=0, **no_upstreams())
    )
    app.state.web.branding = demo_branding_source()
    return app


@pytest.fixture(scope="module")
async def branding(app):
    return await app.state.web.branding.get("durham-childrens")


def render(app, branding, template: str, **context) -> str:
    request = Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b"", "app": app}
    )
    context.setdefault("viewer", READER)
    return app.state.web.render(request, template, branding=branding, **context).body.decode()


def run(
    status: str, done: int = 0, total: int | None = None, fmt: str = "pdf", error: str | None = None
) -> dict:
    return {
        "run_id": RUN_ID,
        "report": "annual-statement-foster-carer",
        "format": fmt,
        "status": status,
        "parameters": {"organisation_id": "x", "tax_year": "2018"},
        "progress": {"done": done, "total": total},
        "requested_at": "2026-11-30T10:00:00+00:00",
        "finished_at": None,
        "expires_at": "2026-12-07T10:00:00+00:00",
        "error": error,
    }


def run_page(app, branding, view: dict) -> str:
    progress = view["progress"]
    percent = round(100 * progress["done"] / progress["total"]) if progress["total"] else None
    return render(
        app,
        branding,
        "reports/run.html",
        run=view,
        title=STATEMENT["title"],
        chosen=[("Tax year", "2018")],
        again=[("tax_year", "2018")],
        offered=True,
        percent=percent,
        refresh=2 if view["status"] in ("queued", "rendering") else None,
        formats=pages.FORMATS,
        fmt=figures,
    )


def test_the_services_refusal_is_shown_at_each_parameter_the_form_asks():
    refusal = ServiceError(
        422,
        {
            "detail": "the remittance-advice report cannot run with these parameters",
            "errors": [
                {"field": "parameters.payment_method", "message": "must be at most 200 characters"},
                {"field": "parameters.contract_id", "message": "choose one from the list"},
            ],
        },
    )
    errors = pages._errors(refusal, ["contract_id", "payment_method"])
    assert [(e.field, e.message) for e in errors.summary] == [
        ("contract_id", "Choose one from the list"),
        ("payment_method", "Must be at most 200 characters"),
    ]
    not_found = pages._errors(
        ServiceError(404, {"detail": "There is no organisation with that id that you can see."}), []
    )
    assert [(e.field, e.message) for e in not_found.summary] == [
        (None, "There is no organisation with that id that you can see.")
    ]


def form(
    app, branding, report: dict, *, choices: dict | None = None, own: str | None = None, **context
) -> str:
    """The parameters form as a provider sees it (never asked the organisation)."""
    return render(
        app,
        branding,
        "reports/parameters.html",
        report=report,
        parameters=[
            p for p in report["parameters"] if p["name"] in pages.ASKED and p["name"] != "organisation_id"
        ],
        choices=choices or {},
        radio_lists=pages.RADIOS,
        any_of=pages.ALL,
        own_organisation=own,
        hints=pages.HINTS,
        **context,
    )


def test_the_form_asks_what_the_report_takes_but_never_the_organisation(app, branding):
    html = form(
        app,
        branding,
        REMITTANCE,
        values={"contract_id": "12"},
        errors=pages._errors(
            ServiceError(
                422, {"errors": [{"field": "parameters.contract_id", "message": "choose one from the list"}]}
            ),
            ["contract_id", "payment_method", "summary"],
        ),
    )
    assert 'id="organisation_id"' not in html
    assert re.findall(r'<label class="govuk-label" for="([a-z_]+)">([^<]+)<', html) == [
        ("contract_id", "Contract"),
        ("payment_method", "Payment method (optional)"),
    ]
    assert 'type="checkbox" value="true"' in html and 'id="summary"' in html
    assert '<a href="#contract_id">Choose one from the list</a>' in html
    assert 'value="12"' in html and 'name="csrf_token"' in html
    assert re.findall(r'name="format" value="(pdf|csv|html)"[^>]*>([^<]+)<', html) == [
        ("pdf", "View"),
        ("csv", "Download Data"),
        ("html", "View as a web page"),
    ]
    statement = form(app, branding, STATEMENT, values={}, errors=FormErrors())
    assert 'id="tax_year"' in statement and "For example, 2018/19 (6 April to 5 April)" in statement
    assert 'id="organisation_id"' not in statement


def test_the_form_offers_lists_where_the_service_has_them_with_errors_at_the_field(app, branding):
    html = form(
        app,
        branding,
        REMITTANCE,
        choices={
            "contract_id": [("c-1", "Fostering (C-1)"), ("c-2", "Respite & Care (C-2)")],
            "payment_method": [("Scheduled Weekly Net", "Scheduled Weekly Net")],
        },
        values={"contract_id": "c-2"},
        errors=pages._errors(
            ServiceError(
                422, {"errors": [{"field": "parameters.contract_id", "message": "choose one from the list"}]}
            ),
            ["contract_id", "payment_method", "summary"],
        ),
    )
    assert '<select class="govuk-select govuk-select--error" id="contract_id" name="contract_id"' in html
    assert '<option value="c-2" selected>Respite &amp; Care (C-2)</option>' in html
    assert '<p id="contract_id-error" class="govuk-error-message">' in html
    assert '<option value="">All payment methods</option>' in html  # optional: any of them
    assert 'type="text"' not in html

    statement = form(
        app,
        branding,
        STATEMENT,
        choices={
            "tax_year": [("2019/20", "2019/20 (6 April 2019 to 5 April 2020)"), ("2018/19", "2018/19 (...)")]
        },
        own="Sausage Sandwich",
        values={"tax_year": "2018/19"},
        errors=pages._errors(
            ServiceError(422, {"errors": [{"field": "parameters.tax_year", "message": "enter the year"}]}),
            ["tax_year"],
        ),
    )
    assert re.findall(
        r'id="(tax_year[-0-9]*)" name="tax_year" type="radio" value="([^"]+)"( checked)?', statement
    ) == [
        ("tax_year", "2019/20", ""),
        ("tax_year-2", "2018/19", " checked"),
    ]
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Tax year</legend>' in statement
    assert (
        'aria-describedby="tax_year-error"' in statement
        and '<a href="#tax_year">Enter the year</a>' in statement
    )
    assert 'id="own-organisation"' in statement and "Sausage Sandwich" in statement
    assert 'id="organisation_id"' not in statement


def test_a_council_member_of_staff_picks_the_organisation():
    council = Viewer("Cath Council", "Durham", Role.council, True, "durham-childrens")
    provider = READER

    class User:
        def __init__(self, viewer: Viewer) -> None:
            self.viewer = viewer

    assert "organisation_id" in pages._asked(User(council))  # type: ignore[arg-type]
    assert "organisation_id" not in pages._asked(User(provider))  # type: ignore[arg-type]


def test_the_html_view_keeps_only_the_allowed_markup_and_escapes_every_text():
    service_html = (
        '<div class="app-report"><h1 class="govuk-heading-l" onclick="steal()">Title &amp; more</h1>'
        '<script>alert(1)</script><style>body{}</style><img src=x onerror="alert(2)">'
        '<p class="govuk-body" style="color:red">A &lt;b&gt; <a href="javascript:x()">link</a></p>'
        '<table class="govuk-table"><caption class="govuk-table__caption">C</caption>'
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">R</th>'
        '<td class="govuk-table__cell" scope="evil">1</td></tr></table>'
        '<dl class="bad&quot;class"><dt>K</dt><dd>V'
    )
    cleaned = str(pages.safe_fragment(service_html, table_label="Provider <Organisations>"))
    assert cleaned == (
        '<div class="app-report"><h1 class="govuk-heading-l">Title &amp; more</h1>'
        '<p class="govuk-body">A &lt;b&gt; link</p>'
        '<div class="portal-table-scroll" tabindex="0" role="region" aria-label="Provider &lt;Organisations&gt;">'
        '<table class="govuk-table"><caption class="govuk-table__caption">C</caption>'
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">R</th>'
        '<td class="govuk-table__cell">1</td></tr></table></div>'
        "<dl><dt>K</dt><dd>V</dd></dl></div>"
    )


def test_a_queued_run_refreshes_itself_without_script_and_polls_with_it(app, branding):
    html = run_page(app, branding, run("queued"))
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert re.search(r'<script type="module" src="[^"]*report-run[^"]*\.js"', html)
    assert f'data-report-run="/api/v1/reports/runs/{RUN_ID}"' in html
    assert "Waiting for its turn to be produced." in html
    assert re.findall(r'<dt class="govuk-summary-list__key">([^<]+)</dt>', html) == ["Tax year"]
    assert 'id="run-file"' not in html


def test_a_rendering_run_shows_its_progress(app, branding):
    html = run_page(app, branding, run("rendering", done=150, total=400))
    assert "Producing the report: 150 of 400 rows (38%)." in html
    assert 'id="run-bar" max="100" value="38"' in html
    counting = run_page(app, branding, run("rendering", done=20))
    assert "Producing the report: 20 rows so far." in counting


def test_a_done_run_links_its_file_and_stops_refreshing(app, branding):
    pdf = run_page(app, branding, run("done"))
    assert "http-equiv" not in pdf and "report-run" not in pdf
    assert f'href="/durham-childrens/reports/runs/{RUN_ID}/file">Open the report (PDF)<' in pdf
    assert "kept until 07/12/2026" in pdf
    # The same parameters again, as a web page: posted to the report's form, with the CSRF token.
    again = re.search(
        r'<form method="post" action="([^"]+)" novalidate id="run-again">(.*?)</form>', pdf, re.S
    )
    assert again is not None and again.group(1) == "/durham-childrens/reports/annual-statement-foster-carer"
    assert '<input type="hidden" name="tax_year" value="2018">' in again.group(2)
    assert 'name="csrf_token"' in again.group(2)
    assert re.findall(r'name="format" value="([a-z]+)"', again.group(2)) == ["html"]
    csv = run_page(app, branding, run("done", fmt="csv"))
    assert f'href="/durham-childrens/reports/runs/{RUN_ID}/file" download>Download the data (CSV)<' in csv
    assert re.findall(r'name="format" value="([a-z]+)"', csv) == ["html", "pdf"]
    web = run_page(app, branding, run("done", fmt="html"))
    assert f'href="/durham-childrens/reports/runs/{RUN_ID}/view">View the report as a web page<' in web
    assert 'id="run-file"' not in web and re.findall(r'name="format" value="([a-z]+)"', web) == ["pdf"]


def test_a_failed_run_says_why_and_offers_to_run_it_again(app, branding):
    html = run_page(app, branding, run("failed", error="The report could not be produced."))
    assert 'id="run-failed"' in html and "The report could not be produced." in html
    assert 'href="/durham-childrens/reports/annual-statement-foster-carer">Run the report again<' in html
    assert "http-equiv" not in html


def test_a_runs_parameters_read_as_they_were_picked_or_typed():
    picked = {"contract_id": [("c-1", "Fostering (C-1)")]}
    assert pages._shown("tax_year", "2018", picked) == "2018/19"
    assert pages._shown("financial_year", "2099", picked) == "2099/00"
    assert pages._shown("period_start", "2019-09-23", picked) == "23/09/2019"
    assert (pages._shown("summary", "true", picked), pages._shown("summary", "false", picked)) == (
        "Summary",
        "Detail",
    )
    assert pages._shown("payment_method", "Scheduled Weekly Net", picked) == "Scheduled Weekly Net"
    assert pages._shown("contract_id", "c-1", picked) == "Fostering (C-1)"
    assert pages._shown("contract_id", "c-9", picked) == "c-9"  # no longer listed: its id
