"""The One-Off Claims pages' own work, without other services: the home card's hook (web/areas.py
Offered: shown only on a quick True, hidden on False, an error or a slow answer), the date's three boxes,
the service's refusals at each field of the forms, the body limit of the item forms, and each template
rendered from answers shaped as the claims API's contract (issue 12)."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest
from fastapi import APIRouter
from starlette.requests import Request

from gateway.body_limit import BodyLimitMiddleware
from gateway.config import Settings
from gateway.main import create_gateway
from gateway.service_problems import ServiceError
from gateway.web import BUILT, areas
from gateway.web.areas import Area, Areas
from gateway.web.claims import access, forms, items
from gateway.web.forms import FieldError, FormErrors
from gateway.web.page_problem import PageProblem
from gateway.web.session import SignedIn
from gateway.web.tasks import Task, TaskId
from gateway.web.viewer import Viewer
from shared.auth import Role
from tests.support.branding import demo_branding_source
from tests.support.inprocess import no_upstreams

CLAIM_ID = "3c1b9a2e-7d4f-4e0a-9b1c-2a3d4e5f6a01"
CLIENT_ITEM = "4d2c0b3f-8e5a-4f1b-8c2d-3b4e5f6a7b02"
PROVIDER_ITEM = "5e3d1c4a-9f6b-4a2c-9d3e-4c5f6a7b8c03"
EDITOR = Viewer("Sausage Sandwich", "Sausage Sandwich", Role.full, True, "durham-childrens")
READER = Viewer("Rita Reader", "Sausage Sandwich", Role.finance, False, "durham-childrens")
USER = SignedIn(session_id="s", token="t", me={"role": "full"})


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


def render(app, branding, template: str, query: str = "", **context) -> str:
    context.setdefault("viewer", EDITOR)
    response = app.state.web.render(request_of(app, query), template, branding=branding, **context)
    return response.body.decode()


# --- The home card's hook -------------------------------------------------------------------------


def areas_offering(answer) -> Areas:
    async def offered(request, user) -> bool:
        if isinstance(answer, BaseException):
            raise answer
        if answer == "slow":
            await asyncio.sleep(5)
        return bool(answer)

    claims = Area(
        name="claims", routers=(), task=Task(TaskId.one_off_claims, "View and create"), offered=offered
    )
    contacts = Area(name="contacts", routers=(), task=Task(TaskId.contacts, "View contacts"))
    return Areas((claims, contacts))


@pytest.mark.parametrize(
    ("answer", "hidden"),
    [
        (True, frozenset()),
        (False, {TaskId.one_off_claims}),
        (ServiceError(503, {"title": "Service Unavailable"}, service="claims"), {TaskId.one_off_claims}),
        (RuntimeError("client not started"), {TaskId.one_off_claims}),
        ("slow", {TaskId.one_off_claims}),
    ],
    ids=["offered", "not-offered", "service-error", "other-error", "too-slow"],
)
async def test_an_area_hides_its_card_unless_it_answers_offered_in_time(monkeypatch, answer, hidden):
    monkeypatch.setattr(areas, "OFFER_WAIT_SECONDS", 0.2)
    tasks = [TaskId.one_off_claims, TaskId.contacts]
    assert await areas_offering(answer).hidden_tasks(None, USER, tasks) == hidden


async def test_a_task_the_role_does_not_have_is_not_asked_about(monkeypatch):
    asked = []

    async def offered(request, user) -> bool:
        asked.append(user)
        return True

    only = Areas((Area(name="claims", routers=(), task=Task(TaskId.one_off_claims, "x"), offered=offered),))
    assert await only.hidden_tasks(None, USER, [TaskId.contacts]) == frozenset() and asked == []


async def test_the_claims_card_is_hidden_when_claims_cannot_be_reached(app):
    claims = app.state.services["claims"]  # pointed at a port nothing listens on
    await claims.start()
    try:
        hidden = await BUILT.hidden_tasks(request_of(app), USER, [TaskId.one_off_claims, TaskId.contacts])
    finally:
        await claims.close()
    assert hidden == {TaskId.one_off_claims}


def test_the_claims_area_is_built_with_its_card_and_hook():
    task = BUILT.task(TaskId.one_off_claims)
    assert task is not None and task.description == "View and create One-Off Claims"
    area = next(a for a in BUILT.built if a.task and a.task.id is TaskId.one_off_claims)
    assert area.offered is access.offered and all(isinstance(r, APIRouter) for r in area.routers)


# --- Forms ----------------------------------------------------------------------------------------


def test_the_date_boxes_make_a_date_or_say_what_is_wrong():
    assert forms.typed_date(
        {"claim_date-day": "2", "claim_date-month": "10", "claim_date-year": "2026"}
    ) == date(2026, 10, 2)
    empty = forms.typed_date({})
    assert isinstance(empty, FieldError) and empty.message == "Enter the date of claim"
    words = forms.typed_date({"claim_date-day": "x", "claim_date-month": "10", "claim_date-year": "2026"})
    assert isinstance(words, FieldError) and "in numbers" in words.message
    unreal = forms.typed_date({"claim_date-day": "31", "claim_date-month": "2", "claim_date-year": "2026"})
    assert isinstance(unreal, FieldError) and unreal.field == "claim_date" and "real date" in unreal.message
    assert forms.date_boxes(date(2026, 3, 7)) == {
        "claim_date-day": "7",
        "claim_date-month": "3",
        "claim_date-year": "2026",
    }


def test_the_services_refusal_goes_to_each_field_named_by_its_label():
    refused = ServiceError(
        422,
        {
            "title": "Unprocessable Content",
            "errors": [
                {"field": "attachment", "message": "this item has an attachment already (one per item)"},
                {"field": "quantity", "message": "quantity has at most 2 decimal places"},
                {"field": "body.description", "message": "Field required"},
                {"field": "service_level_id", "message": "is not a service level you can claim"},
                {"field": "client_id", "message": "is not a child/client placed with you"},
                {"field": "elsewhere", "message": "something about the whole item"},
            ],
        },
        service="claims",
    )
    errors = forms.service_errors(refused, forms.ITEM_FIELDS)
    assert [e.field for e in errors.items] == [
        None,
        "description",
        "service_level_id",
        "client_id",
        "quantity",
        "attachment",
    ]
    assert [e.message for e in errors.items if e.field != "description"] == [
        "Something about the whole item",
        "Service level is not a service level you can claim",
        "Client is not a child/client placed with you",
        "Quantity has at most 2 decimal places",
        "This item has an attachment already (one per item)",
    ]
    assert (errors.for_field("description") or "").startswith("Description")  # pydantic's "Field required"
    conflict = forms.service_errors(
        ServiceError(409, {"detail": "the claim was changed"}, service="claims"), ()
    )
    assert [e.message for e in conflict.items] == ["The claim was changed."]


def test_labels_name_the_field_once():
    assert forms.labelled("unit_cost", "unit cost must be more than 0") == "Unit cost must be more than 0"
    assert (
        forms.labelled("unit_cost", "unit_cost differs from the level's")
        == "Unit cost differs from the level's"
    )
    assert forms.labelled("claim_date", "cannot be in the future") == "Date of claim cannot be in the future"
    assert (
        forms.labelled("notes", "Notes are at most 1,000 characters.") == "Notes are at most 1,000 characters"
    )


def test_ids_and_kinds_in_addresses_are_checked_before_any_call():
    assert access.an_id(CLAIM_ID.upper()) == CLAIM_ID
    for bad in ("new", "1", "../x"):
        with pytest.raises(PageProblem):
            access.an_id(bad)
    assert access.a_kind("client") == "client"
    with pytest.raises(PageProblem):
        access.a_kind("council")


def test_item_forms_take_a_10_mb_attachment_other_forms_the_default_limit():
    limits = BodyLimitMiddleware(None, default=1024 * 1024, upload=50 * 1024 * 1024)
    for path in (
        f"/durham-childrens/one-off-claims/{CLAIM_ID}/items/new",
        f"/durham-childrens/one-off-claims/{CLAIM_ID}/items/{CLIENT_ITEM}/edit",
        f"/api/v1/claims/claims/{CLAIM_ID}/items",
        f"/api/v1/claims/claims/{CLAIM_ID}/items/{CLIENT_ITEM}",
    ):
        assert limits.limit_for(path) > 10 * 1024 * 1024, path
    for path in (
        "/durham-childrens/one-off-claims/new",
        f"/durham-childrens/one-off-claims/{CLAIM_ID}/details",
        f"/durham-childrens/one-off-claims/{CLAIM_ID}/submit",
        f"/api/v1/claims/claims/{CLAIM_ID}/submit",
    ):
        assert limits.limit_for(path) == 1024 * 1024, path


# --- Templates ------------------------------------------------------------------------------------


def an_item(kind: str, **changes):
    item = {
        "item_id": CLIENT_ITEM if kind == "client" else PROVIDER_ITEM,
        "kind": kind,
        "description": "School runs" if kind == "client" else "Training mileage",
        "service_level_id": "6f000000-0000-4000-8000-000000000001",
        "service_level_name": "In-House Fostering Placement - Mileage"
        if kind == "client"
        else "In-House Foster Carer - Foster Carer Mileage",
        "client_id": "7a000000-0000-4000-8000-000000000001" if kind == "client" else None,
        "client_reference": "CLA001" if kind == "client" else None,
        "client_name": "Testing, CLA" if kind == "client" else None,
        "quantity": "150.00",
        "unit_cost": "0.3870",
        "unit": "Mile",
        "amount": "58.05",
        "attachment": {
            "attachment_id": "8b000000-0000-4000-8000-000000000001",
            "filename": "mileage.pdf",
            "content_type": "application/pdf",
            "size": 1234,
        },
        "included": None,
        "la_notes": None,
    }
    return {**item, **changes}


def a_claim(**changes):
    claim = {
        "claim_id": CLAIM_ID,
        "claim_date": "2026-10-02",
        "notes": "Mileage claim for 1st - 6th September",
        "status": "unsubmitted",
        "total": "116.10",
        "accepted_total": None,
        "reason": None,
        "version": 4,
        "submitted_at": None,
        "decided_at": None,
        "client_items": [an_item("client")],
        "provider_items": [an_item("provider", attachment=None)],
    }
    return {**claim, **changes}


def claim_context(claim, viewer=EDITOR, **more):
    from gateway.web.actuals import figures

    unsubmitted = claim["status"] == "unsubmitted"
    return {
        "claim": claim,
        "viewer": viewer,
        "base": f"/durham-childrens/one-off-claims/{claim['claim_id']}",
        "editable": unsubmitted and viewer.can_edit,
        "submitted": not unsubmitted,
        "done": None,
        "fmt": figures,
        **more,
    }


def cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_an_unsubmitted_claim_has_the_seeds_tables_buttons_and_warning(app, branding):
    html = render(app, branding, "claims/claim.html", **claim_context(a_claim()))
    assert ">Unsubmitted<" in html and "02/10/2026" in html and "£116.10" in html
    assert cells(html, "client-items")[0][:6] == [
        "School runs",
        "In-House Fostering Placement - Mileage",
        "Testing, CLA",
        "150",
        "£0.39",
        "£58.05",
    ]
    provider = cells(html, "provider-items")[0]
    assert provider[:6] == [
        "Training mileage",
        "In-House Foster Carer - Foster Carer Mileage",
        "150",
        "£0.39",
        "Mile",
        "£58.05",
    ]
    assert provider[6] == "None"  # no attachment
    assert f'href="/durham-childrens/one-off-claims/{CLAIM_ID}/items/{CLIENT_ITEM}/attachment"' in html
    for present in (
        'id="add-client-item"',
        'id="add-provider-item"',
        'id="change-details"',
        'id="submit-claim"',
    ):
        assert present in html
    assert "Please do not use this option to claim for any other type of payment." in html
    assert "Has LA Notes" not in html and f"/items/{CLIENT_ITEM}/remove" in html


def test_an_empty_claim_says_it_has_no_items(app, branding):
    html = render(
        app, branding, "claims/claim.html", **claim_context(a_claim(client_items=[], provider_items=[]))
    )
    assert "No One-Off Claim Client Items" in html and "No One-Off Claim Provider Items" in html


def test_a_read_only_user_sees_the_claim_without_buttons(app, branding):
    html = render(app, branding, "claims/claim.html", **claim_context(a_claim(), viewer=READER))
    for absent in (
        "add-client-item",
        "add-provider-item",
        "change-details",
        "submit-claim",
        "/edit",
        "/remove",
    ):
        assert absent not in html
    assert 'id="read-only"' in html and f'/items/{CLIENT_ITEM}"' in html


def test_a_decided_claim_is_read_only_with_the_decision(app, branding):
    claim = a_claim(
        status="rejected",
        reason="Mileage not approved for training",
        submitted_at="2026-10-03T09:00:00+00:00",
        decided_at="2026-10-10T15:00:00+00:00",
        client_items=[an_item("client", included=False, la_notes="Not in placement that week")],
        provider_items=[an_item("provider", included=False)],
    )
    html = render(app, branding, "claims/claim.html", **claim_context(claim))
    assert ">Rejected<" in html and "Mileage not approved for training" in html
    assert cells(html, "client-items")[0][7:10] == ["Yes", "No", "view School runs"]
    assert cells(html, "provider-items")[0][7:9] == ["No", "No"]
    for absent in ("add-client-item", "submit-claim", "/edit", "/remove", "change-details"):
        assert absent not in html
    item = render(
        app,
        branding,
        "claims/item.html",
        claim=claim,
        item=claim["client_items"][0],
        base=f"/durham-childrens/one-off-claims/{CLAIM_ID}",
        fmt=claim_context(claim)["fmt"],
    )
    assert "Not in placement that week" in item and re.search(r'id="item-included">No<', item)


def test_the_item_form_offers_the_levels_and_an_error_at_its_field(app, branding):
    from gateway.web.actuals import figures

    levels = [
        {"service_level_id": "a", "name": "Mileage", "unit": "Mile", "unit_cost": "0.3870"},
        {"service_level_id": "b", "name": "Parking", "unit": "Ticket", "unit_cost": None},
    ]
    assert [items.level_text(level) for level in levels] == [
        "Mileage (£0.39 per Mile)",
        "Parking (at cost, per Ticket)",
    ]
    errors = FormErrors((FieldError("quantity", "Quantity must be more than 0"),))
    html = render(
        app,
        branding,
        "claims/item_form.html",
        claim=a_claim(),
        kind="client",
        item=None,
        values={"description": "School runs", "quantity": "0", "service_level_id": "a"},
        levels=[(lv["service_level_id"], items.level_text(lv)) for lv in levels],
        at_cost=True,
        clients=[("c", "Testing, CLA (CLA001)")],
        errors=errors,
        back_href="/back",
        base="/base",
        fmt=figures,
        status_code=422,
    )
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert '<a href="#quantity">Quantity must be more than 0</a>' in html and 'id="quantity-error"' in html
    assert '<option value="a" selected>' in html and 'id="unit_cost"' in html and 'id="client_id"' in html
    assert 'name="version" value="4"' in html
    provider = render(
        app,
        branding,
        "claims/item_form.html",
        claim=a_claim(),
        kind="provider",
        item=an_item("provider"),
        values={"attachment_action": "keep"},
        levels=[("a", "Mileage (£0.39 per Mile)")],
        at_cost=False,
        clients=[],
        back_href="/back",
        base="/base",
        fmt=figures,
    )
    assert 'id="unit_cost"' not in provider and 'id="client_id"' not in provider
    assert 'value="replace"' in provider and "mileage.pdf" in provider


def test_a_fixed_unit_cost_is_not_put_in_the_form_to_send_back():
    levels = [{"service_level_id": "6f000000-0000-4000-8000-000000000001", "unit_cost": "0.3870"}]
    assert items.item_values(an_item("client"), levels)["unit_cost"] == ""
    at_cost = [{"service_level_id": "6f000000-0000-4000-8000-000000000001", "unit_cost": None}]
    assert items.item_values(an_item("client", unit_cost="4.5000"), at_cost)["unit_cost"] == "4.5"


def test_the_list_has_the_seeds_notes_and_the_new_claim_button(app, branding):
    from gateway.web.actuals import figures
    from gateway.web.actuals.listing import unnumbered

    rows = [
        {
            "claim_id": CLAIM_ID,
            "claim_date": "2026-10-02",
            "notes": "September",
            "status": "accepted",
            "total": "58.05",
        }
    ]
    context = {"rows": rows, "page": 1, "fmt": figures}
    html = render(
        app, branding, "claims/claims.html", pagination=unnumbered("/x", {}, page=1, more=True), **context
    )
    assert "approved to do so" in html and 'id="new-claim"' in html and 'rel="next"' in html
    assert cells(html, "claims")[0][1:] == ["September", "Accepted", "£58.05"]
    reader = render(
        app,
        branding,
        "claims/claims.html",
        viewer=READER,
        pagination=unnumbered("/x", {}, page=1, more=False),
        **context,
    )
    assert 'id="new-claim"' not in reader and 'id="read-only"' in reader
