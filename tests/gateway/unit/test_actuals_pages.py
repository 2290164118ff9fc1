"""The Actuals and Care Package Line Items pages' own work, without other services: the figures as
the pages write them, pagination and sortable headers, the service's refusals as each form's errors,
and each template rendered from answers shaped as the actuals API's contract (docs/actuals.md)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from starlette.requests import Request

from gateway.config import Settings
from gateway.main import create_gateway
from gateway.service_problems import ServiceError
from gateway.web.actuals import figures, home_card, imports, lines, listing, weeks
from gateway.web.actuals.access import a_week, an_id
from gateway.web.forms import FormErrors
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn
from gateway.web.viewer import Viewer
from shared.auth import Role
from tests.support.branding import demo_branding_source
from tests.support.inprocess import no_upstreams

SERVICE_ID = "0b4a2f57-2c8b-4a57-9f6e-3f1f0f6a1b01"
LINE_ID = "7d1c0a3e-5b7e-4a55-8e66-0f3a2f9c4b02"
CLIENT_ID = "2e9f1d4c-6a0b-4f3e-9c1d-5b7a8e6f4c03"


@pytest.fixture(scope="module")
def app():
    app = create_gateway(
        Settings(environment="test", identity_secret="no-identity-here", metrics_port=0, **no_upstreams())
    )
    app.state.web.branding = demo_branding_source()
    return app


@pytest.fixture(scope="module")
async def branding(app):
    return await app.state.web.branding.get("telford-wrekin")


def request_of(app, query: str = "") -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [],
            "query_string": query.encode(),
            "app": app,
        }
    )


VIEWER = Viewer("Sam Provider", "Purple Care Ltd", Role.care, True, "telford-wrekin")


def render(app, branding, template: str, **context) -> str:
    context.setdefault("viewer", VIEWER)
    response = app.state.web.render(request_of(app), template, branding=branding, **context)
    return response.body.decode()


def a_line(**changes):
    line = {
        "line_id": LINE_ID,
        "cpli_id": "c0000000-0000-4000-8000-000000000001",
        "client_id": CLIENT_ID,
        "ssref": "A201000005",
        "client_name": "Miss Pamela Portal",
        "service_level_id": "5e000000-0000-4000-8000-000000000001",
        "service_level_name": "Home Care - Standard",
        "unit": "Hours",
        "actual": "9.75",
        "planned": "10.00",
        "frustrated": "0.00",
        "missed": "0.25",
        "extra": "0.00",
        "visits": 13,
        "unit_rate": "18.6257",
        "averaged": True,
        "total": "181.60",
        "planned_total": "186.26",
        "comment": "Carer ill on Friday",
        "state": "intermittent",
        "timetabled": False,
    }
    return line | changes


def a_week_answer(**changes):
    week = {
        "week_id": "9a000000-0000-4000-8000-000000000001",
        "service_id": SERVICE_ID,
        "service_name": "Purple Care",
        "week_commencing": "2026-11-16",
        "state": "open",
        "version": 7,
        "can_edit": True,
        "can_confirm": True,
        "total": "12345.67",
        "planned_total": "12500.00",
        "line_count": 120,
        "lines": [a_line(), a_line(line_id=None, state="unplanned", client_name="Mr Pedro Portal")],
    }
    return week | changes


def week_context(data, **changes):
    context = {
        "errors": FormErrors(),
        "notice": None,
        "service_id": SERVICE_ID,
        "service_name": "Purple Care",
        "week": date(2026, 11, 16),
        "picked": "2026-11-16",
        "data": data,
        "values": {"service_level_id": "", "client_id": "", "with_actuals": "", "state": ""},
        "filtered": [],
        "filter_href": "/filter",
        "clear_href": "/clear",
        "pagination": listing.numbered("/t/actuals/x", {"week": "2026-11-16"}, page=1, pages=3),
        "page": 1,
        "previous_href": "/prev",
        "next_href": "/next",
        "this_week_href": "/this",
        "export_href": "/export.csv",
        "line_href": lambda line: weeks.line_href("telford-wrekin", SERVICE_ID, date(2026, 11, 16), line),
        "fmt": figures,
    }
    return context | changes


# --- Figures and lists ------------------------------------------------------------------------------


def test_figures_are_written_as_the_council_guides_write_them():
    assert figures.money("646.06") == "£646.06" and figures.money("12345.6") == "£12,345.60"
    assert figures.money("-5") == "-£5.00" and figures.money("not money") == ""
    assert figures.quantity("10.00") == "10" and figures.quantity("9.750") == "9.75"
    assert figures.quantity(None) == "" and figures.quantity(3) == "3"
    assert figures.rate("18.5400") == "£18.54" and figures.rate("18.6257") == "£18.6257"
    assert figures.uk_date("2026-11-23") == "23/11/2026" and figures.uk_date(None) == ""
    assert figures.long_date("2026-11-23") == "23 November 2026"
    today = date(2026, 11, 26)  # a Thursday
    assert figures.week_of(None, today=today) == date(2026, 11, 23)
    assert figures.week_of("2026-11-15", today=today) == date(2026, 11, 9)
    assert figures.neighbours(date(2026, 11, 23)) == (date(2026, 11, 16), date(2026, 11, 30))
    assert figures.neighbours(date(1, 1, 1)) == (None, date(1, 1, 8))  # the calendar's first week
    assert figures.neighbours(date(9999, 12, 27)) == (date(9999, 12, 20), None)


def test_ids_and_weeks_in_addresses_are_checked_before_any_call():
    assert an_id(SERVICE_ID.upper()) == SERVICE_ID
    for bad in ("import", "1; DROP", "../x"):
        with pytest.raises(PageProblem) as refused:
            an_id(bad)
        assert refused.value.status == 404
    assert a_week("2026-11-18") == date(2026, 11, 18)
    with pytest.raises(PageProblem):
        a_week("2026-02-31")


def test_numbered_pagination_shows_the_ends_and_the_neighbours():
    p = listing.numbered("/x", {"week": "2026-11-16", "state": ""}, page=5, pages=10)
    assert [item.number for item in p.items] == [1, None, 4, 5, 6, None, 10]
    assert p.previous == "/x?week=2026-11-16&page=4" and p.next == "/x?week=2026-11-16&page=6"
    assert [i.current for i in p.items if i.number == 5] == [True]
    one = listing.numbered("/x", {}, page=1, pages=1)
    assert not one and one.items == ()
    assert listing.page_number("0") == 1 and listing.page_number("x") == 1 and listing.page_number("3") == 3


def test_sortable_headers_link_to_the_other_direction_and_say_which_sorts():
    headers = listing.sort_headers(
        [("Client", "client"), ("SSRef", "ssref"), ("Cost", None)],
        current="client",
        base="/c",
        query={"service_id": "s", "page": "3", "sort": "client"},
    )
    assert [(h.label, h.aria_sort) for h in headers] == [
        ("Client", "ascending"),
        ("SSRef", "none"),
        ("Cost", "none"),
    ]
    assert headers[0].href == "/c?service_id=s&sort=-client"  # back to page 1
    assert headers[1].href == "/c?service_id=s&sort=ssref" and headers[2].href is None
    down = listing.sort_headers([("Client", "client")], current="-client", base="/c", query={})
    assert down[0].aria_sort == "descending" and down[0].href == "/c?sort=client"


# --- The service's refusals as the forms' errors -----------------------------------------------------


def test_a_quantity_that_is_not_a_number_is_a_sentence_about_its_field():
    refused = ServiceError(
        422,
        {
            "errors": [
                {"field": "body.frustrated", "message": "'x' is not a number (write digits, e.g. 58.05)"}
            ]
        },
    )
    errors = lines.service_errors(refused, lines.FIELDS, lines.LABELS)
    assert [(e.field, e.message) for e in errors.summary] == [
        ("frustrated", "Frustrated must be a number, like 7.5 (not 'x')")
    ]


def test_a_blank_actual_is_asked_for_in_the_pages_words_beside_the_other_faults():
    refused = ServiceError(
        422,
        {
            "errors": [
                {"field": "actual", "message": "'' is not a number (write digits, e.g. 58.05)"},
                {"field": "comment", "message": "must be 1,000 characters or fewer (it has 1,001)"},
            ]
        },
    )
    errors = lines.service_errors(refused, lines.FIELDS, lines.LABELS, said={"actual": lines.BLANK_ACTUAL})
    assert [(e.field, e.message) for e in errors.summary] == [
        ("actual", "Enter the actual quantity: 0 if nothing was delivered"),
        ("comment", "A comment must be 1,000 characters or fewer (it has 1,001)"),
    ]


def test_a_lines_refusal_goes_to_each_field_in_the_forms_order():
    refused = ServiceError(
        422,
        {
            "title": "Your request has errors",
            "errors": [
                {"field": "comment", "message": "a comment is required when delivery differs from plan"},
                {"field": "body.actual", "message": "goes in steps of 0.25 (8.3 is not one)"},
                {"field": "body.version", "message": "Input should be a valid integer"},
            ],
        },
    )
    errors = lines.service_errors(refused, lines.FIELDS, lines.LABELS)
    assert [(e.field, e.message) for e in errors.summary] == [
        (None, "Input should be a valid integer"),
        ("actual", "Actual goes in steps of 0.25 (8.3 is not one)"),
        ("comment", "A comment is required when delivery differs from plan"),
    ]
    conflict = lines.service_errors(
        ServiceError(409, {"detail": "the week has changed"}), lines.FIELDS, lines.LABELS
    )
    assert [(e.field, e.message) for e in conflict.summary] == [(None, "The week has changed.")]


def test_a_visits_refusal_goes_to_the_field_of_its_row():
    refused = ServiceError(
        422,
        {"errors": [{"field": "body.visits.3.minutes", "message": "Input should be greater than 0"}]},
    )
    errors = lines.visit_errors(refused, rows=4)
    assert errors.for_field("minutes_3") == "Visit 4: minutes must be more than 0"
    ruled = ServiceError(
        422,
        {"errors": [{"field": "visits[0].visit_date", "message": "01/12/2026 is not in the week"},
                    {"field": "comment", "message": "a comment is required"}]},
    )  # fmt: skip
    errors = lines.visit_errors(ruled, rows=1)
    assert errors.for_field("visit_date_0") == "01/12/2026 is not in the week"
    assert errors.for_field("comment") == "A comment is required"
    blank = lines.visit_errors(
        ServiceError(422, {"errors": [{"field": "comment", "message": "is required"}]}), rows=0
    )
    assert blank.for_field("comment") == "A comment is required"


def test_visit_rows_keep_the_new_row_only_when_filled_in():
    form = {
        "visit_date_0": "2026-11-16", "start_time_0": "08:00", "minutes_0": "45", "carers_0": "1",
        "status_0": "missed", "visit_date_1": "", "start_time_1": "", "minutes_1": "",
    }  # fmt: skip
    rows, visits = lines.visit_rows(form, 1)
    assert len(rows) == 1 and visits == [
        {"visit_date": "2026-11-16", "start_time": "08:00", "minutes": 45, "carers": 1, "status": "missed"}
    ]
    form |= {"visit_date_1": "2026-11-17", "start_time_1": "18:00", "minutes_1": "30"}
    rows, visits = lines.visit_rows(form, 1)
    assert visits[1] == {
        "visit_date": "2026-11-17",
        "start_time": "18:00",
        "minutes": 30,
        "carers": 1,
        "status": "delivered",
    }


def test_an_import_error_names_its_row_and_column():
    assert imports.error_text({"row": 12, "column": "actual", "message": "must be in steps of 0.25"}) == (
        "Row 12, column actual: must be in steps of 0.25"
    )
    assert (
        imports.error_text({"row": None, "column": None, "message": "the file is empty"})
        == "the file is empty"
    )
    refused = imports.file_errors(
        ServiceError(
            422,
            {
                "detail": "the header is wrong",
                "errors": [{"row": 1, "column": "actul", "message": "unknown column"}],
            },
        )
    )
    assert [(e.field, e.message) for e in refused.summary] == [
        ("file", "The header is wrong."),
        (None, "Row 1, column actul: unknown column"),
    ]


# --- The templates -----------------------------------------------------------------------------------


def test_the_week_page_has_the_seeds_columns_the_total_and_the_buttons(app, branding):
    html = render(app, branding, "actuals/week.html", **week_context(a_week_answer()))
    headers = re.findall(
        r'<th scope="col" class="govuk-table__header[^"]*">(?:<abbr title="([^"]+)">)?([^<]*)', html
    )
    assert [title or text for title, text in headers][:11] == [
        "Client", "SSRef", "Service Level", "Actual", "Planned", "Frustrated", "Missed", "Extra", "Visits",
        "Total Cost", "Comments",
    ]  # fmt: skip
    assert "9.75 Hours" in html and "at £18.6257" in html and "(avg price)" in html
    assert 'id="week-total">Total: £12,345.67 of £12,500.00<' in html
    edit = f"/telford-wrekin/actuals/{SERVICE_ID}/weeks/2026-11-16/lines/{LINE_ID}?client={CLIENT_ID}"
    assert f'href="{edit}">Add/Edit' in html and html.count(">Add/Edit<") == 1  # not the unplanned line
    assert "Not generated" in html
    assert 'id="generate"' in html and 'name="version" value="7"' in html and 'id="confirm"' in html
    assert html.count('name="csrf_token"') == 3  # generate, confirm, log out
    assert ">Open<" in html and 'aria-label="Page 3"' in html
    assert 'type="date"' in html and 'name="week"' in html


def test_the_filters_in_use_are_named_from_the_lines_shown():
    values = {"service_level_id": "", "client_id": CLIENT_ID, "with_actuals": "true", "state": "planned"}
    assert weeks.filter_summary(values, [a_line()]) == [
        "Client: Miss Pamela Portal",
        "With actuals",
        "Actuals: Planned",
    ]
    assert weeks.filter_summary(values | {"with_actuals": "", "state": ""}, []) == ["Client: the one chosen"]


def test_a_read_only_or_confirmed_week_shows_the_figures_without_buttons(app, branding):
    data = a_week_answer(state="confirmed", can_edit=False, can_confirm=False)
    html = render(app, branding, "actuals/week.html", **week_context(data))
    assert "9.75 Hours" in html and ">Confirmed<" in html
    for absent in ('id="generate"', 'id="confirm"', ">Add/Edit<"):
        assert absent not in html


def test_a_refused_week_shows_the_reason_at_the_picker_and_no_table(app, branding):
    errors = FormErrors((weeks.FieldError("week", "The week has not started yet."),))
    html = render(app, branding, "actuals/week.html", **week_context(None, errors=errors, pagination=None))
    assert 'class="govuk-error-summary"' in html and 'href="#week"' in html
    assert 'id="week-error"' in html and 'id="actuals"' not in html and "<title>Error: " in html


def test_the_cpli_table_writes_cost_and_authorised_as_text(app, branding):
    row = {
        "cpli_id": "c1", "ssref": "A201000005", "client_id": "x", "client_name": "Miss Pamela Portal",
        "service_id": SERVICE_ID, "service_name": "Nursing Home", "service_level_id": "l",
        "service_level_name": "Band 4 - Single Room - Long Term", "unit": "Weeks", "start_date": "2018-12-26",
        "end_date": None, "cost": "646.06", "frequency": "Weekly", "pricing": "1 x Placement at £646.06 (Spot)",
        "care_package_ref": "M2872/Migr:735810", "authorised": False,
    }  # fmt: skip
    html = render(
        app,
        branding,
        "cplis/cplis.html",
        values={"service_id": "", "client_id": "", "service_level_id": "", "include_historical": "true",
                "include_unauthorised": "", "sort": ""},
        choices={"services": [{"id": SERVICE_ID, "name": "Nursing Home"}], "clients": [], "service_levels": []},
        rows=[row],
        headers=listing.sort_headers((("Client", "client"),), current="client", base="/c", query={}),
        pagination=listing.unnumbered("/c", {}, page=1, more=True),
        page=1,
        csv_href="/c.csv",
        actions_built=False,
        fmt=figures,
    )  # fmt: skip
    assert "£646.06 Weekly" in html and "26/12/2018" in html and ">-<" in html
    assert ">No<" in html and 'type="checkbox" value="true" checked' in html.replace(
        'name="include_historical" ', ""
    )
    assert (
        'aria-sort="ascending"' in html and 'rel="next"' in html and "Send a message about this" not in html
    )


def test_an_import_in_progress_refreshes_itself_without_javascript(app, branding):
    found = {"import_id": "i1", "file_reference": "CM-48", "status": "pending", "rows": 10000,
             "progress": {"done": 2500, "total": 10000, "percent": 25}, "error_count": 0, "errors": []}  # fmt: skip
    context = {"file_errors": FormErrors(), "errors_href": "/e.csv", "fmt": figures}
    html = render(app, branding, "actuals/import_status.html", found=found, refresh=2, **context)
    head = html.split("</head>", 1)[0]
    assert '<meta http-equiv="refresh" content="2">' in head
    assert "2500 of 10000 rows checked (25%)" in html
    refused = found | {"status": "refused", "error_count": 250}
    errors = FormErrors((imports.FieldError(None, "Row 12, column actual: must be in steps of 0.25"),))
    html = render(
        app,
        branding,
        "actuals/import_status.html",
        found=refused,
        refresh=None,
        **(context | {"file_errors": errors}),
    )
    assert "http-equiv" not in html and "The first 1 are listed here" in html
    assert "Row 12, column actual: must be in steps of 0.25" in html and 'href="/e.csv"' in html
    done = found | {"status": "imported"}
    html = render(app, branding, "actuals/import_status.html", found=done, refresh=None, **context)
    assert "govuk-panel--confirmation" in html and "10000 rows from file CM-48" in html


def test_the_line_form_and_its_conflict(app, branding):
    context = {
        "week": date(2026, 11, 16), "data": a_week_answer(), "line": a_line(), "values": lines.line_values(a_line()),
        "version": 7, "labels": lines.LABELS, "back_href": "/w", "visits_href": "/v", "fmt": figures,
    }  # fmt: skip
    html = render(app, branding, "actuals/line.html", current=None, **context)
    assert html.count('inputmode="decimal"') == 4 and 'name="version" value="7"' in html
    assert 'value="9.75"' in html and "Carer ill on Friday</textarea>" in html
    conflict = render(
        app, branding, "actuals/line.html", current=a_line(actual="8.00", comment="Other"), **context
    )
    assert 'id="conflict"' in conflict and "Actual 8," in conflict and "“Other”" in conflict


async def test_the_home_cards_count_is_left_out_when_actuals_is_down(app):
    assert home_card.note_text(0) is None and home_card.note_text(1) == "1 week of the last 12 to confirm"
    assert home_card.note_text(3) == "3 weeks of the last 12 to confirm"
    actuals = app.state.services["actuals"]  # pointed at a port nothing listens on
    await actuals.start()
    try:
        user = SignedIn(session_id="s", token="t", me={"role": "care"})
        assert await home_card.unconfirmed_weeks_note(request_of(app), user) is None
    finally:
        await actuals.close()
