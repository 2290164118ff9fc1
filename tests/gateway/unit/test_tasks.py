from __future__ import annotations

import pytest

from gateway.web.tasks import CATALOGUE, TaskId, access_text, open_actions_text, tasks_for
from shared.auth import Role

EVERYTHING = frozenset(TaskId)


def titles(role, offered=EVERYTHING, **kwargs):
    return [card.title for card in tasks_for(role, offered=offered, authority_slug="t", **kwargs)]


def test_full_access_and_main_see_every_task_in_the_seeds_order():
    everything = [task.title for task in CATALOGUE]
    assert titles(Role.full) == everything
    assert titles(Role.main) == everything
    assert everything[:5] == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Actions and Change Requests",
    ]


def test_finance_functions():
    assert titles(Role.finance) == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Actions and Change Requests",
        "Invoices",
    ]


def test_care_management_functions():
    assert titles(Role.care) == ["Actions and Change Requests", "Actuals", "Care Package Line Items"]


def test_admin_functions():
    assert titles(Role.admin) == ["Contacts", "Organisation Details"]


def test_council_staff_have_no_provider_tasks():
    assert titles(Role.council) == []


def test_only_what_the_authority_offers():
    offered = frozenset({TaskId.scheduled_payments, TaskId.actuals})
    assert titles(Role.full, offered) == ["Scheduled Payments", "Actuals"]
    assert titles(Role.admin, offered) == []


def test_cards_link_under_the_authority_and_carry_the_seeds_descriptions():
    cards = {c.task: c for c in tasks_for(Role.full, offered=EVERYTHING, authority_slug="durham-childrens")}
    assert cards[TaskId.scheduled_payments].href == "/durham-childrens/scheduled-payments"
    assert cards[TaskId.scheduled_payments].description == "View and confirm or reject scheduled payments."
    assert cards[TaskId.one_off_claims].description == "View and create One-Off Claims"
    assert cards[TaskId.purchase_orders].description == "View & print purchase orders"
    assert cards[TaskId.reports].description == "View & print financial reports"


@pytest.mark.parametrize(
    ("count", "text"), [(0, "No open Actions"), (1, "1 open Action"), (7, "7 open Actions")]
)
def test_actions_card_counts_open_actions(count, text):
    assert open_actions_text(count) == text
    cards = tasks_for(Role.care, offered=EVERYTHING, authority_slug="t", open_actions=count)
    assert cards[0].description == text


def test_access_is_named_as_in_the_seeds():
    assert access_text(Role.finance, can_edit=False) == "Finance Functions (read only)"
    assert access_text(Role.care, can_edit=True) == "Care Management Functions"
