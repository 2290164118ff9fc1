"""The scoping helper's SQL, run on the real PostgreSQL against rows of every level."""

from __future__ import annotations

import uuid

import pytest

from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.scoping import Columns, scope_where

AUTH, OTHER_AUTH = uuid.uuid4(), uuid.uuid4()
ORG, OTHER_ORG = uuid.uuid4(), uuid.uuid4()
C1, C2 = uuid.uuid4(), uuid.uuid4()
S1, S2 = uuid.uuid4(), uuid.uuid4()
ROWS = {
    "org-level": (AUTH, ORG, None, None),
    "c1": (AUTH, ORG, C1, None),
    "c1-s1": (AUTH, ORG, C1, S1),
    "c1-s2": (AUTH, ORG, C1, S2),
    "c2": (AUTH, ORG, C2, None),
    "other-org": (AUTH, OTHER_ORG, None, None),
    "other-authority": (OTHER_AUTH, ORG, C1, S1),
}


def who(role=Role.full, scope=ScopeType.organisation, scope_id=ORG, parent=None) -> Principal:
    council = role is Role.council
    return Principal(
        subject="u",
        kind=PrincipalKind.user,
        authority_id=AUTH,
        organisation_id=None if council else ORG,
        role=role,
        can_edit=False,
        scope_type=ScopeType.authority if council else scope,
        scope_id=None if council else scope_id,
        scope_contract_id=parent,
    )


@pytest.mark.parametrize(
    ("principal", "organisation_rows", "expected"),
    [
        (who(Role.council), False, {"org-level", "c1", "c1-s1", "c1-s2", "c2", "other-org"}),
        (who(), False, {"org-level", "c1", "c1-s1", "c1-s2", "c2"}),
        (who(scope=ScopeType.contract, scope_id=C1), False, {"c1", "c1-s1", "c1-s2"}),
        (who(scope=ScopeType.contract, scope_id=C1), True, {"c1", "c1-s1", "c1-s2"}),
        (who(scope=ScopeType.service, scope_id=S1, parent=C1), False, {"c1", "c1-s1"}),
    ],
)
async def test_each_scope_sees_exactly_its_rows(env, principal, organisation_rows, expected):
    conn = await db.connect(env.dsn("actuals"))
    try:
        await conn.execute(
            "CREATE TEMPORARY TABLE scoped (name text, authority_id uuid, organisation_id uuid,"
            " contract_id uuid, service_id uuid)"
        )
        await conn.executemany(
            "INSERT INTO scoped VALUES ($1, $2, $3, $4, $5)", [(k, *v) for k, v in ROWS.items()]
        )
        where, params = scope_where(
            principal,
            Columns(contract="contract_id", service="service_id"),
            organisation_rows=organisation_rows,
        )
        rows = await conn.fetch(f"SELECT name FROM scoped WHERE {where}", *params)
        assert {r["name"] for r in rows} == expected
    finally:
        await conn.close()
