"""The One-Off Claims templates rendered from answers shaped as the claims API's contract (issue 12):
the seed's tables and buttons, read-only users, a decided claim, the item form and its errors, the new
claim's date boxes, the question before removing an item, and the page of a council taking no claims."""

from __future__ import annotations

import re
from datetime import date

import pytest
from starlette.requests import Request

from gateway.config import Settings
from gateway.main import create_gateway
from gateway.web.claims import forms, items
from gateway.web.forms import FieldError, FormErrors
from gateway.web.session import SignedIn
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
            "accepted_total": "58.05",
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


def test_the_new_claims_date_boxes_and_their_error(app, branding):
    errors = FormErrors((FieldError("claim_date", "Date of claim cannot be in the future"),))
    html = render(
        app,
        branding,
        "claims/details.html",
        values={**forms.date_boxes(date(2026, 10, 15)), "notes": "September"},
        claim=None,
        errors=errors,
        back_href="/durham-childrens/one-off-claims",
    )
    assert '<a href="#claim_date">Date of claim cannot be in the future</a>' in html
    assert 'id="claim_date" name="claim_date-day" type="text" inputmode="numeric" value="15"' in html
    assert 'name="claim_date-year"' in html and "September</textarea>" in html
    assert "Create claim" in html and 'name="version"' not in html
    change = render(
        app,
        branding,
        "claims/details.html",
        values={**forms.date_boxes(date(2026, 10, 15)), "notes": ""},
        claim=a_claim(),
        back_href="/back",
    )
    assert "Change the date or notes" in change and 'name="version" value="4"' in change


def test_removing_an_item_asks_first_and_the_not_offered_page(app, branding):
    from gateway.web.actuals import figures

    html = render(
        app,
        branding,
        "claims/item_remove.html",
        claim=a_claim(),
        item=an_item("client"),
        back_href=f"/durham-childrens/one-off-claims/{CLAIM_ID}",
        fmt=figures,
    )
    assert "Are you sure you want to remove this item?" in html and "School runs" in html
    assert 'id="remove-item"' in html and 'name="version" value="4"' in html
    assert f"/one-off-claims/{CLAIM_ID}/items/{CLIENT_ITEM}/attachment" in html
    telford = render(app, branding, "claims/not_offered.html")
    assert "does not take one-off claims through the portal" in telford


@pytest.mark.parametrize(
    ("unit", "shown"),
    [
        ("Miles", "£0.45 per Mile"),
        ("Mile", "£0.45 per Mile"),
        ("Hours", "£0.45 per Hour"),
        ("Boxes", "£0.45 per Box"),
        ("Bus pass", "£0.45 per Bus pass"),
        ("Bus", "£0.45 per Bus"),
        ("", "£0.45 per unit"),
    ],
)
def test_a_level_says_what_it_pays_for_one_of_its_unit(unit, shown):
    """A council's unit may be plural ("Miles"): the select says "per Mile", never "per Miles"."""
    level = {"name": "Mileage", "unit_cost": "0.45", "unit": unit}
    assert items.level_text(level) == f"Mileage ({shown})"
