"""The one role x capability table: the seeds' roles, used by services and the gateway alike."""

from __future__ import annotations

import uuid

import pytest

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.capabilities import ROLE_CAPABILITIES, Capability, can, require_capability
from shared.errors import Forbidden


def who(role: Role, *, edit: bool = True) -> Principal:
    council = role is Role.council
    return Principal(
        subject="u",
        kind=PrincipalKind.user,
        authority_id=uuid.uuid4(),
        organisation_id=None if council else uuid.uuid4(),
        role=role,
        can_edit=edit,
        scope_type=ScopeType.authority if council else ScopeType.organisation,
        scope_id=None,
    )


@pytest.mark.parametrize(
    ("role", "capabilities"),
    [
        # Seeds: Finance = reports, invoices, scheduled payments, purchase orders (+ one-off claims).
        (
            Role.finance,
            {"reports", "invoices", "scheduled-payments", "purchase-orders", "one-off-claims"},
        ),
        # Care Management = CPLIs, actions, actuals.
        (Role.care, {"care-package-line-items", "actions", "actuals"}),
        # Admin = organisation details, contacts (and the organisation's API keys).
        (Role.admin, {"organisation-details", "contacts", "api-keys"}),
        (Role.full, {c.value for c in Capability}),
        (Role.main, {c.value for c in Capability}),
        (Role.council, {c.value for c in Capability}),
    ],
)
def test_each_role_has_the_seeds_capabilities(role, capabilities):
    assert {c.value for c in ROLE_CAPABILITIES[role]} == capabilities


def test_actions_belong_to_care_management_not_finance():
    assert can(who(Role.care), Capability.actions)
    assert not can(who(Role.finance), Capability.actions)


def test_a_role_without_the_capability_is_refused_naming_it():
    with pytest.raises(Forbidden, match="actuals") as refused:
        require_capability(who(Role.finance), Capability.actuals)
    assert refused.value.status == 403 and "Finance Functions" in refused.value.detail


def test_read_only_may_see_but_not_change():
    reader = who(Role.care, edit=False)
    require_capability(reader, Capability.actuals)
    with pytest.raises(Forbidden, match="read-only"):
        require_capability(reader, Capability.actuals, edit=True)
    require_capability(who(Role.care), Capability.actuals, edit=True)
