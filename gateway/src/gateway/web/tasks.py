"""The tasks of the home page ("Pick a task..."), and which of them a user sees.

A user sees a task when the authority offers it AND the user's role grants it. The roles are the
seeds' (Telford & Wrekin FAQ, "How do I request access for new users?"):
- Full Access: all functions. Main (set by the council only) is a Full Access contact.
- Finance Functions: reports, invoices, scheduled payments, purchase orders (and one-off claims,
  which are payments the provider asks for).
- Care Management Functions: care package line items, actions, actuals.
- Admin Functions: organisation details and contacts (requesting new users).
Actions and Change Requests are granted to Finance as well: a finance user must be able to raise and
follow a query about a payment, which the seeds say to do through actions. Edit / Read-only does not
change which tasks are shown, only what can be done inside them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from shared.auth import Role


class TaskId(StrEnum):
    scheduled_payments = "scheduled-payments"
    one_off_claims = "one-off-claims"
    purchase_orders = "purchase-orders"
    reports = "reports"
    actions = "actions"
    actuals = "actuals"
    care_package_line_items = "care-package-line-items"
    invoices = "invoices"
    contacts = "contacts"
    organisation_details = "organisation-details"


@dataclass(frozen=True)
class Task:
    id: TaskId
    title: str
    description: str  # the seeds' one-liner under the task's link

    @property
    def path(self) -> str:
        """The task's address under the authority: /<slug>/<path>."""
        return self.id.value


# In the order of the seeds' home pages.
CATALOGUE: tuple[Task, ...] = (
    Task(TaskId.scheduled_payments, "Scheduled Payments", "View and confirm or reject scheduled payments."),
    Task(TaskId.one_off_claims, "One-Off Claims", "View and create One-Off Claims"),
    Task(TaskId.purchase_orders, "Purchase Orders", "View & print purchase orders"),
    Task(TaskId.reports, "Reports", "View & print financial reports"),
    Task(TaskId.actions, "Actions and Change Requests", "No open Actions"),
    Task(TaskId.actuals, "Actuals", "Submit your actuals using the online form or bulk import facility"),
    Task(
        TaskId.care_package_line_items,
        "Care Package Line Items",
        "View the care packages commissioned from you",
    ),
    Task(TaskId.invoices, "Invoices", "View invoices and credit notes, and submit actuals payable invoices"),
    Task(TaskId.contacts, "Contacts", "View and Request Changes to Contacts"),
    Task(
        TaskId.organisation_details,
        "Organisation Details",
        "View and Request Changes to Organisation Details",
    ),
)
BY_PATH = {task.path: task for task in CATALOGUE}

_FINANCE = frozenset(
    {
        TaskId.scheduled_payments,
        TaskId.one_off_claims,
        TaskId.purchase_orders,
        TaskId.reports,
        TaskId.invoices,
        TaskId.actions,
    }
)
_CARE = frozenset({TaskId.care_package_line_items, TaskId.actions, TaskId.actuals})
_ADMIN = frozenset({TaskId.organisation_details, TaskId.contacts})
_ALL = frozenset(TaskId)
ROLE_TASKS: dict[Role, frozenset[TaskId]] = {
    Role.full: _ALL,
    Role.main: _ALL,
    Role.finance: _FINANCE,
    Role.care: _CARE,
    Role.admin: _ADMIN,
    Role.council: frozenset(),  # council staff have the back office, not the provider home page
}


# The roles as the seeds name them (what a user reads about their own access).
ROLE_NAMES: dict[Role, str] = {
    Role.full: "Full Access",
    Role.main: "Main contact",
    Role.finance: "Finance Functions",
    Role.care: "Care Management Functions",
    Role.admin: "Admin Functions",
    Role.council: "Council staff",
}


def access_text(role: Role, *, can_edit: bool) -> str:
    """E.g. "Finance Functions (read only)"."""
    return ROLE_NAMES.get(role, role.value) + ("" if can_edit else " (read only)")


@dataclass(frozen=True)
class TaskCard:
    """One task as the home page shows it."""

    task: TaskId
    title: str
    description: str
    href: str


def open_actions_text(count: int) -> str:
    if count <= 0:
        return "No open Actions"
    return "1 open Action" if count == 1 else f"{count} open Actions"


def tasks_for(
    role: Role, *, offered: Collection[TaskId], authority_slug: str, open_actions: int = 0
) -> list[TaskCard]:
    """The home page's tasks for a user of `role` at an authority that offers `offered`, in catalogue order."""
    allowed = ROLE_TASKS.get(role, frozenset())
    return [
        TaskCard(
            task=task.id,
            title=task.title,
            description=open_actions_text(open_actions) if task.id is TaskId.actions else task.description,
            href=f"/{authority_slug}/{task.path}",
        )
        for task in CATALOGUE
        if task.id in allowed and task.id in offered
    ]
