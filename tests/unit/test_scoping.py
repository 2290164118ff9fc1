"""The one scoping helper every service uses: rows by authority, organisation, contract and service;
no writes for read-only roles."""

from __future__ import annotations

import uuid

import pytest

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.errors import DomainError
from shared.scoping import (
    Columns,
    can_see,
    require_edit,
    require_visible,
    scope_where,
)

AUTH, ORG, CONTRACT, SERVICE = (uuid.uuid4() for _ in range(4))


def principal(
    role=Role.full, *, edit=True, scope=ScopeType.organisation, scope_id=None, org=ORG, parent=None
):
    if role is Role.council:
        scope, org = ScopeType.authority, None
    return Principal(
        subject="u",
        kind=PrincipalKind.user,
        authority_id=AUTH,
        organisation_id=org,
        role=role,
        can_edit=edit,
        scope_type=scope,
        scope_id=scope_id if scope_id is not None else (org if scope is ScopeType.organisation else None),
        scope_contract_id=parent,
    )


COUNCIL = principal(Role.council)
ORG_USER = principal()
CONTRACT_USER = principal(scope=ScopeType.contract, scope_id=CONTRACT)
SERVICE_USER = principal(scope=ScopeType.service, scope_id=SERVICE, parent=CONTRACT)
FULL = Columns(contract="contract_id", service="service_id")


@pytest.mark.parametrize(
    ("who", "columns", "organisation_rows", "sql", "params"),
    [
        (COUNCIL, FULL, False, "authority_id = $1", [AUTH]),
        (ORG_USER, FULL, False, "authority_id = $1 AND organisation_id = $2", [AUTH, ORG]),
        (
            CONTRACT_USER,
            FULL,
            False,
            "authority_id = $1 AND organisation_id = $2 AND contract_id = $3",
            [AUTH, ORG, CONTRACT],
        ),
        (
            SERVICE_USER,
            FULL,
            False,
            "authority_id = $1 AND organisation_id = $2 AND (service_id = $3 OR (service_id IS NULL AND contract_id = $4))",
            [AUTH, ORG, SERVICE, CONTRACT],
        ),
        (
            SERVICE_USER,
            Columns(contract="contract_id"),
            False,
            "authority_id = $1 AND organisation_id = $2 AND contract_id = $3",
            [AUTH, ORG, CONTRACT],
        ),
        (
            SERVICE_USER,
            Columns(service="service_id"),
            False,
            "authority_id = $1 AND organisation_id = $2 AND service_id = $3",
            [AUTH, ORG, SERVICE],
        ),
        (
            CONTRACT_USER,
            Columns(service="service_id"),
            False,
            "authority_id = $1 AND organisation_id = $2 AND FALSE",
            [AUTH, ORG],
        ),
        (
            CONTRACT_USER,
            Columns(),
            False,
            "authority_id = $1 AND organisation_id = $2 AND FALSE",
            [AUTH, ORG],
        ),
        (CONTRACT_USER, Columns(), True, "authority_id = $1 AND organisation_id = $2", [AUTH, ORG]),
        (SERVICE_USER, Columns(), True, "authority_id = $1 AND organisation_id = $2", [AUTH, ORG]),
    ],
)
def test_scope_where(who, columns, organisation_rows, sql, params):
    assert scope_where(who, columns, organisation_rows=organisation_rows) == (sql, params)


def test_parameters_can_start_after_the_callers_own():
    sql, params = scope_where(
        CONTRACT_USER,
        Columns(contract="c.contract_id", organisation="c.organisation_id", authority="c.authority_id"),
        first_param=3,
    )
    assert sql == "c.authority_id = $3 AND c.organisation_id = $4 AND c.contract_id = $5"
    assert params == [AUTH, ORG, CONTRACT]


def test_a_provider_without_organisation_is_refused():
    with pytest.raises(DomainError) as refused:
        scope_where(principal(org=None))
    assert refused.value.status == 403


OTHER = uuid.uuid4()


@pytest.mark.parametrize(
    ("who", "row", "visible"),
    [
        (COUNCIL, {"authority_id": AUTH, "organisation_id": OTHER}, True),
        (COUNCIL, {"authority_id": OTHER}, False),
        (ORG_USER, {"authority_id": AUTH, "organisation_id": ORG, "contract_id": OTHER}, True),
        (ORG_USER, {"authority_id": AUTH, "organisation_id": OTHER}, False),
        (ORG_USER, {"authority_id": OTHER, "organisation_id": ORG}, False),
        (CONTRACT_USER, {"authority_id": AUTH, "organisation_id": ORG, "contract_id": CONTRACT}, True),
        (CONTRACT_USER, {"authority_id": AUTH, "organisation_id": ORG, "contract_id": OTHER}, False),
        (CONTRACT_USER, {"authority_id": AUTH, "organisation_id": ORG}, False),
        (
            SERVICE_USER,
            {"authority_id": AUTH, "organisation_id": ORG, "contract_id": CONTRACT, "service_id": SERVICE},
            True,
        ),
        (
            SERVICE_USER,
            {"authority_id": AUTH, "organisation_id": ORG, "contract_id": CONTRACT, "service_id": OTHER},
            False,
        ),
        (SERVICE_USER, {"authority_id": AUTH, "organisation_id": ORG, "contract_id": CONTRACT}, True),
        (SERVICE_USER, {"authority_id": AUTH, "organisation_id": ORG, "contract_id": OTHER}, False),
    ],
)
def test_can_see(who, row, visible):
    assert can_see(who, **row) is visible
    if not visible:
        with pytest.raises(DomainError) as hidden:
            require_visible(who, "thing", **row)
        assert hidden.value.status == 404


@pytest.mark.parametrize("role", [Role.full, Role.finance, Role.care, Role.admin, Role.main, Role.council])
def test_read_only_roles_never_write(role):
    require_edit(principal(role, edit=True))
    with pytest.raises(DomainError) as refused:
        require_edit(principal(role, edit=False))
    assert refused.value.status == 403 and "read-only" in (refused.value.detail or "")
