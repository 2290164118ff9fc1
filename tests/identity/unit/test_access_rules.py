"""What a provider user may hand on: never Main, never more role or scope than they hold."""

from __future__ import annotations

import uuid

import pytest

from identity.domain.access import ScopeRef, may_delegate_role, scope_within


@pytest.mark.parametrize(
    ("holder", "wanted", "allowed"),
    [
        ("full", "full", True),
        ("full", "finance", True),
        ("main", "admin", True),
        ("admin", "admin", True),
        ("admin", "care", False),
        ("admin", "full", False),
        ("finance", "finance", True),
        ("care", "finance", False),
        ("full", "main", False),
        ("main", "main", False),
        ("full", "council", False),
    ],
)
def test_roles(holder, wanted, allowed):
    assert may_delegate_role(holder, wanted) is allowed


ORG, C1, C2, S1, S2 = (uuid.uuid4() for _ in range(5))


@pytest.mark.parametrize(
    ("holder", "wanted", "inside"),
    [
        (ScopeRef("organisation", ORG), ScopeRef("organisation", ORG), True),
        (ScopeRef("organisation", ORG), ScopeRef("service", S1, C1), True),
        (ScopeRef("contract", C1), ScopeRef("contract", C1), True),
        (ScopeRef("contract", C1), ScopeRef("service", S1, C1), True),
        (ScopeRef("contract", C1), ScopeRef("service", S2, C2), False),
        (ScopeRef("contract", C1), ScopeRef("contract", C2), False),
        (ScopeRef("contract", C1), ScopeRef("organisation", ORG), False),
        (ScopeRef("service", S1, C1), ScopeRef("service", S1, C1), True),
        (ScopeRef("service", S1, C1), ScopeRef("contract", C1), False),
        (ScopeRef("service", S1, C1), ScopeRef("service", S2, C1), False),
    ],
)
def test_scopes(holder, wanted, inside):
    assert scope_within(holder, wanted) is inside
