"""The Actions and Change Requests pages (web/actions/) from answers shaped as messaging's provider API
(docs/messaging.md): the list's columns, lights in words, filters and their service query; New Action's
pick lists, character count and errors at their fields (a 7,501-character message, a missing title),
choices that are not choices refused before anything is sent; a thread open and closed; the home card."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request

from gateway.config import Settings
from gateway.main import create_gateway
from gateway.service_problems import ServiceError
from gateway.web.actions import home_card, pages, wording
from gateway.web.actions.access import may_message, message_href
from gateway.web.forms import FieldError, FormErrors
from gateway.web.page_problem import PageProblem
from gateway.web.viewer import Viewer
from shared.auth import Role
from tests.support.branding import demo_branding_source
from tests.support.inprocess import no_upstreams

ACTION = "3c1b9a2e-7d4f-4e0a-9b1c-2a3d4e5f6a01"
TYPE = "4d2c0b3f-8e5a-4f1b-8c2d-3b4e5f6a7b02"
TEAM = "5e3d1c4a-9f6b-4a2c-9d3e-4c5f6a7b8c03"
CLIENT = "6f000000-0000-4000-8000-000000000001"
EDITOR = Viewer("Dawn Stockton", "Sausage Sandwich", Role.full, True, "durham-childrens")
READER = Viewer("Rita Reader", "Sausage Sandwich", Role.care, False, "durham-childrens")
FINANCE = Viewer("Fay Finance", "Sausage Sandwich", Role.finance, True, "durham-childrens")
TEAMS = [{"team_id": TEAM, "name": "Childrens Services Finance", "active": True}]


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


def request_of(app, query: str = "") -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [],
        "query_string": query.encode(),
        "app": app,
    }
    return Request(scope)


def render(app, branding, template: str, query: str = "", **context) -> str:
    context.setdefault("viewer", EDITOR)
    response = app.state.web.render(request_of(app, query), template, branding=branding, **context)
    return response.body.decode()


def a_row(**changes):
    row = {
        "action_id": ACTION,
        "title": "Query about my payments",
        "status": "open",
        "light": "amber",
        "overdue": False,
        "last_post_at": "2019-10-02T10:27:00+00:00",  # 11:27 in the UK (BST)
        "related_kind": "provider",
        "related_id": None,
        "related_label": "Sausage Sandwich",
        "due_date": None,
        "type_id": TYPE,
        "type_name": "Provider Query",
        "team_id": TEAM,
        "team_name": "Childrens Services Finance",
        "assigned_to": "council",
    }
    return {**row, **changes}


def a_thread(**changes):
    thread = {
        **a_row(),
        "closed_reason": None,
        "closed_at": None,
        "read_only": False,
        "posts": [
            {
                "post_id": "7a000000-0000-4000-8000-000000000001",
                "kind": "opened",
                "author_side": "provider",
                "author_label": "Sausage Sandwich",
                "text": "Please can you tell me when I'll get paid for the mileage I submitted?",
                "assigned_after": "council",
                "created_at": "2019-10-02T10:27:00+00:00",
            }
        ],
        "attachments": [
            {
                "attachment_id": "8b000000-0000-4000-8000-000000000001",
                "filename": "mileage.pdf",
                "content_type": "application/pdf",
                "size": 2048,
                "created_at": "2019-10-02T10:28:00+00:00",
            }
        ],
    }
    return {**thread, **changes}


def list_page(app, branding, rows, values=None, **context):
    return render(
        app,
        branding,
        "actions/actions.html",
        rows=rows,
        page=1,
        values=values or {"open_only": "true", "assigned": "", "filtered": "1"},
        assigned_options=[("provider", "Provider"), (f"team:{TEAM}", "LA (Childrens Services Finance)")],
        pagination=None,
        **wording.HELPERS,
        **context,
    )


def cells(html: str) -> list[list[str]]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows
    ]


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_has_the_seeds_columns_and_lights_in_words(app, branding):
    rows = [
        a_row(),
        a_row(light="red", overdue=True, due_date="2019-10-01", title="Late one", assigned_to="provider"),
        a_row(
            light="green", status="closed", related_kind="client", related_label="Bart Simpson", title="Test2"
        ),
    ]
    html = list_page(app, branding, rows)
    headers = re.findall(r'<th scope="col" class="govuk-table__header">([^<]+)</th>', html)
    assert headers == ["Status", "Last Post Date", "Title", "Re:", "Due", "Type", "Assigned To"]
    assert cells(html) == [
        [
            "Open",
            "02/10/2019 11:27",
            "Query about my payments",
            "Sausage Sandwich (Provider)",
            "--",
            "Provider Query",
            "LA (Childrens Services Finance)",
        ],
        [
            "Overdue",
            "02/10/2019 11:27",
            "Late one",
            "Sausage Sandwich (Provider)",
            "01/10/2019",
            "Provider Query",
            "Provider",
        ],
        [
            "None pending",
            "02/10/2019 11:27",
            "Test2",
            "Bart Simpson (Client)",
            "--",
            "Provider Query",
            "LA (Childrens Services Finance)",
        ],
    ]
    assert 'govuk-tag--red portal-light" data-light="red">Overdue<' in html
    assert f'href="/durham-childrens/actions/{ACTION}"' in html
    assert 'id="open_only" name="open_only" type="checkbox" value="true" checked' in html
    assert 'id="new-action"' in html


def test_an_empty_list_and_a_read_only_person(app, branding):
    html = list_page(app, branding, [], viewer=READER)
    assert 'id="no-actions">No open Actions.' in html and 'id="new-action"' not in html
    assert 'id="read-only"' in html
    unticked = list_page(app, branding, [], values={"open_only": "", "assigned": "", "filtered": "1"})
    assert "No actions match these filters." in unticked
    assert 'name="open_only" type="checkbox" value="true">' in unticked


def test_the_filters_default_to_open_only_and_keep_only_known_choices(app):
    assert pages.list_filters(request_of(app), TEAMS) == {
        "open_only": "true",
        "assigned": "",
        "filtered": "1",
    }
    unticked = pages.list_filters(request_of(app, "filtered=1&assigned=provider"), TEAMS)
    assert unticked == {"open_only": "", "assigned": "provider", "filtered": "1"}
    team = pages.list_filters(request_of(app, f"filtered=1&open_only=true&assigned=team:{TEAM}"), TEAMS)
    assert pages.service_query(team) == {"open_only": "true", "assigned_to": "council", "team_id": TEAM}
    other = pages.list_filters(request_of(app, f"assigned=team:{CLIENT}"), TEAMS)  # not a team of theirs
    assert other["assigned"] == "" and pages.service_query(other) == {"open_only": "true"}
    assert pages.service_query(unticked) == {"open_only": "false", "assigned_to": "provider"}


# --- New Action -------------------------------------------------------------------------------------


def new_page(app, branding, values=None, errors=None):
    return render(
        app,
        branding,
        "actions/new.html",
        values=values or {"related": "provider"},
        errors=errors or FormErrors(),
        text_max=wording.TEXT_MAX,
        back_href="/durham-childrens/actions",
        type_options=[(TYPE, "Foster Carer Query")],
        team_options=[(TEAM, "Childrens Services Finance")],
        related_options=[
            ("provider", "Sausage Sandwich (Provider)"),
            (f"client:{CLIENT}", "Bart Simpson (Client)"),
        ],
    )


def test_the_new_action_form_has_the_seeds_fields_and_a_character_count(app, branding):
    html = new_page(app, branding)
    labels = re.findall(r'<label class="govuk-label" for="([^"]+)">([^<]+)</label>', html)
    assert labels == [
        ("type_id", "Type"),
        ("related", "Related To"),
        ("team_id", "Assign To"),
        ("title", "Title"),
        ("text", "Message"),
        ("attachment", "Attachments"),
    ]
    assert 'data-module="govuk-character-count" data-maxlength="7500"' in html
    assert "You can enter up to 7,500 characters" in html
    assert 'enctype="multipart/form-data"' in html and 'type="file" multiple' in html
    assert '<option value="provider" selected>Sausage Sandwich (Provider)</option>' in html
    assert ">Create Action</button>" in html


def test_the_services_refusals_are_shown_at_their_fields(app, branding):
    refused = ServiceError(
        422,
        {
            "title": "Unprocessable",
            "errors": [
                {"field": "title", "message": "enter the title"},
                {"field": "text", "message": "must be 7,500 characters or fewer (it has 7,501)"},
                {"field": "related_id", "message": "is not one of your clients"},
            ],
        },
        service="messaging",
    )
    errors = wording.refusal(refused, wording.NEW_FIELDS)
    assert [(e.field, e.message) for e in errors.summary] == [
        ("related", "Related to is not one of your clients"),
        ("title", "Enter the title"),
        ("text", "Message must be 7,500 characters or fewer (it has 7,501)"),
    ]
    html = new_page(
        app, branding, values={"title": "", "text": "x" * 7501, "related": "provider"}, errors=errors
    )
    assert 'href="#text">Message must be 7,500 characters or fewer (it has 7,501)</a>' in html
    assert 'id="title-error"' in html and "govuk-textarea--error" in html
    closed = ServiceError(409, {"title": "Conflict", "detail": "the action is closed"}, service="messaging")
    assert [e.message for e in wording.refusal(closed, wording.POST_FIELDS).summary] == [
        "The action is closed."
    ]
    with pytest.raises(PageProblem):
        wording.refusal(
            ServiceError(404, {"detail": "no such action"}, service="messaging"), wording.POST_FIELDS
        )


def test_choices_that_are_not_choices_are_refused_before_anything_is_sent():
    values = {
        "type_id": "",
        "related": "client:not-an-id",
        "team_id": "drop table",
        "title": "T",
        "text": "x",
    }
    body = pages.new_action_body(values)
    assert isinstance(body, FormErrors)
    assert [e.field for e in body.items] == ["type_id", "related", "team_id"]
    # with the title and message blank as well, every fault is listed at once, in the form's order
    blank = pages.new_action_body({**values, "title": " ", "text": ""})
    assert isinstance(blank, FormErrors)
    assert [(e.field, e.message) for e in blank.items][3:] == [
        ("title", "Enter the title"),
        ("text", "Enter the message"),
    ]
    good = pages.new_action_body({**values, "type_id": TYPE, "related": f"client:{CLIENT}", "team_id": ""})
    assert good == {
        "type_id": TYPE,
        "related_kind": "client",
        "related_id": CLIENT,
        "title": "T",
        "text": "x",
    }
    provider = pages.new_action_body({**values, "type_id": TYPE, "related": "provider", "team_id": TEAM})
    assert provider == {
        "type_id": TYPE,
        "related_kind": "provider",
        "title": "T",
        "text": "x",
        "team_id": TEAM,
    }


# --- A thread ---------------------------------------------------------------------------------------


def thread_page(app, branding, thread, **context):
    writable = not thread["read_only"] and context.get("viewer", EDITOR).can_edit
    context.setdefault("values", {})
    context.setdefault("errors", FormErrors())
    return render(
        app,
        branding,
        "actions/thread.html",
        action=thread,
        base=f"/durham-childrens/actions/{ACTION}",
        back_href="/durham-childrens/actions",
        writable=writable,
        may_request_closure=writable and thread["status"] == "open",
        done=None,
        text_max=wording.TEXT_MAX,
        **wording.HELPERS,
        **context,
    )


def test_an_open_thread_has_its_posts_files_and_moves(app, branding):
    html = thread_page(app, branding, a_thread())
    assert "02 Oct 2019 11:27 Sausage Sandwich" in html and "Assigned to Childrens Services Finance" in html
    assert (
        f'href="/durham-childrens/actions/{ACTION}/attachments/8b000000-0000-4000-8000-000000000001"' in html
    )
    assert 'name="move" value="reply"' in html and 'name="move" value="comment"' in html
    assert 'id="request-closure"' in html and 'id="action-due">--<' in html
    assert 'id="action-status">Open<' in html


def status_of(thread_html: str) -> str:
    found = re.search(r'id="action-status">([^<]*)<', thread_html)
    assert found, "no Status on the thread page"
    return found.group(1)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"light": "red", "overdue": True, "due_date": "2019-10-01"},
    ],
    ids=["open", "overdue"],
)
def test_a_thread_names_its_status_as_the_list_does(app, branding, changes):
    """The list's Status and the thread's are one word for an open state (wording.LIGHTS): an open
    action was "Open" in the list and "Pending" in its thread. A closed one says Closed (below): the
    list's "None pending" is its light, which reads oddly as the state of one action."""
    listed = cells(list_page(app, branding, [a_row(**changes)]))[0][0]
    assert status_of(thread_page(app, branding, a_thread(**changes))) == listed


def test_a_closure_request_is_named_beside_the_lists_status(app, branding):
    for light, listed in (("amber", "Open"), ("red", "Overdue")):
        asked = a_thread(status="closure_requested", light=light)
        assert cells(list_page(app, branding, [asked]))[0][0] == listed
        assert status_of(thread_page(app, branding, asked)) == f"{listed} (closure requested)"


def test_a_closed_thread_is_read_only_with_its_reason(app, branding):
    closed = a_thread(
        status="closed",
        light="green",
        read_only=True,
        closed_reason="Paid on Friday.",
        closed_at="2019-10-04T09:00:00+00:00",
    )
    html = thread_page(app, branding, closed)
    assert 'id="closed-reason"' in html and "Reason: Paid on Friday." in html
    assert (
        'id="post-form"' not in html and 'id="request-closure"' not in html and 'id="file-form"' not in html
    )
    assert status_of(html) == "Closed"


def test_a_read_only_person_and_a_pending_closure(app, branding):
    assert 'id="post-form"' not in thread_page(app, branding, a_thread(), viewer=READER)
    pending = thread_page(app, branding, a_thread(status="closure_requested"))
    assert 'id="closure-pending"' in pending and 'id="request-closure"' not in pending
    errors = FormErrors((FieldError("text", "Enter the message"),))
    assert 'href="#text">Enter the message</a>' in thread_page(app, branding, a_thread(), errors=errors)


# --- The home card, times and who may send a message ----------------------------------------------


def test_the_home_card_counts_open_actions_and_names_the_light():
    assert home_card.note_text({"open": 0, "overdue": 0, "light": "green"}) == "No open Actions"
    assert home_card.note_text({"open": 1, "overdue": 0, "light": "amber"}) == "1 open Action (status: open)"
    assert home_card.note_text({"open": 3, "overdue": 2, "light": "red"}) == (
        "3 open Actions, 2 overdue (status: overdue)"
    )


def test_times_are_shown_in_the_uk():
    assert wording.when("2026-01-15T09:05:00+00:00") == "15/01/2026 09:05"
    assert wording.when("2026-07-15T09:05:00+00:00") == "15/07/2026 10:05"
    assert wording.posted("2019-10-02T10:27:00+00:00") == "02 Oct 2019 11:27"
    assert wording.when("not a time") == ""


def test_a_message_link_only_for_people_who_can_send_one(app):
    assert may_message(EDITOR) and not may_message(READER) and not may_message(FINANCE)
    back = f"/durham-childrens/scheduled-payments/{ACTION}"
    href = message_href(request_of(app), EDITOR, "durham-childrens", return_to=back, payment_id=ACTION)
    assert href == (
        f"/durham-childrens/actions/new?payment_id={ACTION}"
        f"&return_to=%2Fdurham-childrens%2Fscheduled-payments%2F{ACTION}"
    )
    assert (
        message_href(request_of(app), FINANCE, "durham-childrens", return_to=back, payment_id=ACTION) is None
    )
