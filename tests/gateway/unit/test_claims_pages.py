"""The One-Off Claims pages' own work, without other services: the home card's hook (web/areas.py
Offered: shown only on a quick True, hidden on False, an error or a slow answer), the date's three boxes,
the service's refusals at each field of the forms, and the body limit of the item forms. The templates
are rendered in test_claims_templates.py."""

from __future__ import annotations

import asyncio
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
from gateway.web.claims import access, forms
from gateway.web.forms import FieldError
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
