"""The 403 pages of a task's doors (web/admin_access.py): a role without the task is told how to get
it; a read-only login asking for a change is told what it cannot do, in that task's words ("request
changes" only where the change is a request to the council)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from gateway.web.actions import access as actions
from gateway.web.actuals import access as actuals
from gateway.web.claims import access as claims
from gateway.web.contacts import pages as contacts
from gateway.web.invoices import access as invoices
from gateway.web.organisation import pages as organisation
from gateway.web.page_problem import PageProblem
from gateway.web.scheduled_payments import access as scheduled_payments
from gateway.web.session import SignedIn
from tests.support.branding import demo_branding_source

SLUG = "durham-childrens"


@pytest.fixture(scope="module")
async def branding():
    return await demo_branding_source().get(SLUG)


def signed_in(role: str, *, can_edit: bool) -> Request:
    """A request whose person is already known (as `session.signed_in` keeps it on the request)."""
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""})
    request.state.portal_signed_in = SignedIn(
        session_id="s",
        token="t",
        me={"role": role, "can_edit": can_edit, "authority": {"slug": SLUG}, "user": {"forename": "Rita"}},
    )
    return request


async def refusal(door, request: Request) -> PageProblem:
    with pytest.raises(PageProblem) as refused:
        await door(request)
    assert refused.value.status == 403
    return refused.value


@pytest.mark.parametrize(
    ("access", "detail"),
    [
        (actuals, "You can see your actuals but not enter, import or confirm them."),
        (scheduled_payments, "You can see your scheduled payments but not confirm or dispute them."),
        (claims, "You can see your claims but not make, change or submit them."),
        (invoices, "You can see your invoices but not create, submit, delete or retract them."),
        (actions, "You can see your actions but not start or answer them."),
    ],
    ids=["actuals", "scheduled-payments", "claims", "invoices", "actions"],
)
async def test_a_read_only_login_is_told_what_it_cannot_do_in_the_tasks_words(branding, access, detail):
    refused = await refusal(lambda r: access.editor(r, branding), signed_in("full", can_edit=False))
    assert refused.title == "Your access is read only"
    assert refused.detail == f"{detail} Ask a colleague with Edit access to do it for you."


@pytest.mark.parametrize(
    ("access", "what"),
    [
        (organisation.ACCESS, "your organisation's details"),
        (contacts.ACCESS, "your organisation's contacts"),
    ],
    ids=["organisation-details", "contacts"],
)
async def test_the_admin_tasks_changes_are_requests(branding, access, what):
    """Organisation details and contacts are changed by a request the council approves."""
    refused = await refusal(lambda r: access.editor(r, branding), signed_in("admin", can_edit=False))
    assert refused.detail.startswith(f"You can see {what} but not request changes to them.")


async def test_a_role_without_the_task_is_told_who_can_ask_for_it(branding):
    refused = await refusal(lambda r: actuals.viewer(r, branding), signed_in("finance", can_edit=True))
    assert refused.title == "You do not have access to Actuals"
    assert refused.detail == (
        "Your access (Finance Functions) does not include Actuals. Ask a colleague with Admin Functions"
        " or Full Access to request a change of your role."
    )


async def test_edit_access_opens_the_door(branding):
    request = signed_in("full", can_edit=True)
    assert isinstance(await actuals.editor(request, branding), SignedIn)
