"""What each role may use: the one role x capability table of the portal.

Services check it before they act and the gateway uses it to choose the home page's tasks, so the two can
never disagree. The roles are the seeds' (Telford & Wrekin FAQ, "How do I request access for new users?"):
- Finance Functions: reports, invoices, scheduled payments, purchase orders (and one-off claims, which
  are payments the provider asks for);
- Care Management Functions: care package line items, actions, actuals;
- Admin Functions: organisation details and contacts (and the organisation's API keys);
- Full Access and Main: everything; council staff: everything of their authority.
Edit or Read-only does not change what a role may see, only whether it may change it
(`require_capability(..., edit=True)`).
"""

from __future__ import annotations

from enum import StrEnum

from shared.auth import Principal, Role
from shared.errors import Forbidden


class Capability(StrEnum):
    scheduled_payments = "scheduled-payments"
    one_off_claims = "one-off-claims"
    purchase_orders = "purchase-orders"
    reports = "reports"
    invoices = "invoices"
    care_package_line_items = "care-package-line-items"
    actions = "actions"
    actuals = "actuals"
    organisation_details = "organisation-details"
    contacts = "contacts"
    api_keys = "api-keys"


FINANCE = frozenset(
    {
        Capability.scheduled_payments,
        Capability.one_off_claims,
        Capability.purchase_orders,
        Capability.reports,
        Capability.invoices,
    }
)
CARE = frozenset({Capability.care_package_line_items, Capability.actions, Capability.actuals})
ADMIN = frozenset({Capability.organisation_details, Capability.contacts, Capability.api_keys})
EVERYTHING = frozenset(Capability)

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.full: EVERYTHING,
    Role.main: EVERYTHING,
    Role.council: EVERYTHING,
    Role.finance: FINANCE,
    Role.care: CARE,
    Role.admin: ADMIN,
}

# The seeds' names of the roles (what a user reads about their own access).
ROLE_NAMES: dict[Role, str] = {
    Role.full: "Full Access",
    Role.main: "Main contact",
    Role.finance: "Finance Functions",
    Role.care: "Care Management Functions",
    Role.admin: "Admin Functions",
    Role.council: "Council staff",
}


def capabilities_of(role: Role) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def can(principal: Principal, capability: Capability) -> bool:
    return capability in capabilities_of(principal.role)


def require_capability(principal: Principal, capability: Capability, *, edit: bool = False) -> None:
    """Forbidden unless the caller's role grants `capability` (and, with `edit`, is not read-only)."""
    if not can(principal, capability):
        name = ROLE_NAMES.get(principal.role, principal.role.value)
        raise Forbidden(f"your role ({name}) does not give access to {capability.value.replace('-', ' ')}")
    if edit and not principal.can_edit:
        raise Forbidden("your access is read-only")
