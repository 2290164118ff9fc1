"""The Reports pages' own work, without other services: the service's refusals at the form's fields,
the parameters form, and the run page in each state (refreshing itself without JavaScript, live with
it, until the file is ready or the run failed)."""

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


def test_the_form_asks_what_the_report_takes_but_never_the_organisation(app, branding):
    asked = [p for p in REMITTANCE["parameters"] if p["name"] in pages.ASKED]
    html = render(
        app,
        branding,
        "reports/parameters.html",
        report=REMITTANCE,
        parameters=asked,
        hints=pages.HINTS,
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
    assert re.findall(r'name="format" value="(pdf|csv)"[^>]*>(View|Download Data)<', html) == [
        ("pdf", "View"),
        ("csv", "Download Data"),
    ]
    statement = render(
        app,
        branding,
        "reports/parameters.html",
        report=STATEMENT,
        parameters=[p for p in STATEMENT["parameters"] if p["name"] in pages.ASKED],
        hints=pages.HINTS,
        values={},
        errors=FormErrors(),
    )
    assert 'id="tax_year"' in statement and "For example, 2018/19 (6 April to 5 April)" in statement
    assert 'id="organisation_id"' not in statement


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
    csv = run_page(app, branding, run("done", fmt="csv"))
    assert f'href="/durham-childrens/reports/runs/{RUN_ID}/file" download>Download the data (CSV)<' in csv


def test_a_failed_run_says_why_and_offers_to_run_it_again(app, branding):
    html = run_page(app, branding, run("failed", error="The report could not be produced."))
    assert 'id="run-failed"' in html and "The report could not be produced." in html
    assert 'href="/durham-childrens/reports/annual-statement-foster-carer">Run the report again<' in html
    assert "http-equiv" not in html


def test_a_runs_parameters_read_as_they_were_typed():
    assert pages._shown("tax_year", "2018") == "2018/19"
    assert pages._shown("financial_year", "2099") == "2099/00"
    assert pages._shown("period_start", "2019-09-23") == "23/09/2019"
    assert (pages._shown("summary", "true"), pages._shown("summary", "false")) == ("Summary", "Detail")
    assert pages._shown("payment_method", "Scheduled Weekly Net") == "Scheduled Weekly Net"
