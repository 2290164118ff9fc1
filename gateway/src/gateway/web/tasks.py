"""The tasks of the home page ("Pick a task..."), and which of them a user sees.

Every task of the portal has an id and its name in the seeds; a task appears on the home page only once
its area is built and registers it (web/areas.py), and only for the roles that may use it.
Edit / Read-only does not change which tasks are shown, only what can be done inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.auth import Role
from shared.capabilities import ROLE_NAMES, capabilities_of


class TaskId(StrEnum):
    """Every task of the seeds' home pages, in their order: each is a capability of the same name."""

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


# The seeds' names of the tasks: what the "not available yet" page calls a task that is not built.
NAMES: dict[TaskId, str] = {
    TaskId.scheduled_payments: "Scheduled Payments",
    TaskId.one_off_claims: "One-Off Claims",
    TaskId.purchase_orders: "Purchase Orders",
    TaskId.reports: "Reports",
    TaskId.actions: "Actions and Change Requests",
    TaskId.actuals: "Actuals",
    TaskId.care_package_line_items: "Care Package Line Items",
    TaskId.invoices: "Invoices",
    TaskId.contacts: "Contacts",
    TaskId.organisation_details: "Organisation Details",
}


@dataclass(frozen=True)
class Task:
    id: TaskId
    description: str  # the seeds' one-liner under the task's link

    @property
    def title(self) -> str:
        return NAMES[self.id]

    @property
    def path(self) -> str:
        """The task's address under the authority: /<slug>/<path>."""
        return self.id.value


def tasks_of_role(role: Role) -> frozenset[TaskId]:
    """The tasks `role` may use: the portal's one role x capability table (shared/capabilities.py), the
    same that the services check. Council staff work in their council's own systems through the council
    API; of the provider's tasks they have Reports only, run for any of the council's providers."""
    if role is Role.council:
        return frozenset({TaskId.reports})
    granted = {capability.value for capability in capabilities_of(role)}
    return frozenset(task for task in TaskId if task.value in granted)


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
    note: str | None = None  # e.g. "2 past weeks to confirm" (web/areas.py CardNote)


def tasks_for(
    role: Role,
    *,
    catalogue: Iterable[Task],
    authority_slug: str,
    notes: Mapping[TaskId, str] | None = None,
) -> list[TaskCard]:
    """The home page's cards for a user of `role`: the built tasks (`catalogue`, in its order) the role may use."""
    allowed = tasks_of_role(role)
    return [
        TaskCard(
            task=task.id,
            title=task.title,
            description=task.description,
            href=f"/{authority_slug}/{task.path}",
            note=(notes or {}).get(task.id),
        )
        for task in catalogue
        if task.id in allowed
    ]
