from __future__ import annotations

from gateway.web import BUILT
from gateway.web.areas import Area, Areas, LandingLine
from gateway.web.tasks import NAMES, Task, TaskId, access_text, tasks_for, tasks_of_role
from shared.auth import Role
from shared.capabilities import Capability

EVERY_TASK = tuple(Task(task, f"about {task.value}") for task in reversed(TaskId))


def titles(role, catalogue=EVERY_TASK):
    ordered = Areas(tuple(Area(name=t.id.value, routers=(), task=t) for t in catalogue)).tasks
    return [card.title for card in tasks_for(role, catalogue=ordered, authority_slug="t")]


def test_full_access_and_main_see_every_task_in_the_seeds_order():
    everything = [NAMES[task] for task in TaskId]
    assert titles(Role.full) == everything
    assert titles(Role.main) == everything
    assert everything[:5] == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Actions and Change Requests",
    ]


def test_finance_functions_have_no_actions():
    # DOMAIN.md and the seeds: Actions belong to Care Management, not to Finance.
    assert titles(Role.finance) == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Invoices",
    ]
    assert TaskId.actions not in tasks_of_role(Role.finance)


def test_care_management_functions():
    assert titles(Role.care) == ["Actions and Change Requests", "Actuals", "Care Package Line Items"]


def test_admin_functions():
    assert titles(Role.admin) == ["Contacts", "Organisation Details"]


def test_council_staff_have_reports_only_of_the_provider_tasks():
    assert titles(Role.council) == ["Reports"]


def test_the_home_page_offers_only_the_tasks_of_built_areas():
    assert [task.id for task in BUILT.tasks] == [
        TaskId.scheduled_payments,
        TaskId.one_off_claims,
        TaskId.purchase_orders,
        TaskId.reports,
        TaskId.actions,
        TaskId.actuals,
        TaskId.care_package_line_items,
        TaskId.invoices,
        TaskId.contacts,
        TaskId.organisation_details,
    ]
    assert titles(Role.full, BUILT.tasks) == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Actions and Change Requests",
        "Actuals",
        "Care Package Line Items",
        "Invoices",
        "Contacts",
        "Organisation Details",
    ]
    assert titles(Role.care, BUILT.tasks) == [
        "Actions and Change Requests",
        "Actuals",
        "Care Package Line Items",
    ]
    assert titles(Role.finance, BUILT.tasks) == [
        "Scheduled Payments",
        "One-Off Claims",
        "Purchase Orders",
        "Reports",
        "Invoices",
    ]
    assert [line.title for line in BUILT.landing_lines] == [
        "Scheduled Payments",
        "Purchase Orders",
        "Reporting",
        "Actions and Change Requests",
        "Submit Actuals",
        "Care Package Line Items",
        "Contacts",
        "Organisation Details",
    ]


def test_an_area_without_a_task_adds_no_card_and_no_landing_line():
    areas = Areas((Area(name="help", routers=(), landing=LandingLine("Help", "Questions")),))
    assert areas.tasks == () and areas.landing_lines == ()


def test_cards_link_under_the_authority_and_carry_their_descriptions():
    cards = {
        c.task: c for c in tasks_for(Role.full, catalogue=BUILT.tasks, authority_slug="durham-childrens")
    }
    assert cards[TaskId.contacts].href == "/durham-childrens/contacts"
    assert cards[TaskId.contacts].description == "View and Request Changes to Contacts"
    assert (
        cards[TaskId.organisation_details].description == "View and Request Changes to Organisation Details"
    )


def test_access_is_named_as_in_the_seeds():
    assert access_text(Role.finance, can_edit=False) == "Finance Functions (read only)"
    assert access_text(Role.care, can_edit=True) == "Care Management Functions"


def test_every_task_is_a_capability_of_the_one_role_table():
    # The home page asks shared/capabilities.py, as the services do: a task is a capability of its name.
    assert {task.value for task in TaskId} <= {capability.value for capability in Capability}
