"""Scoping of queries and writes by the caller's authority, organisation, role and scope.

Every query a service runs for a caller is filtered by what `Principal` allows; ids from a request are
only ever used *inside* that filter, never instead of it (DESIGN.md "Security model").

Scopes (DOMAIN.md "People and access"):
- authority: council staff and council systems, the whole authority;
- organisation: everything of the organisation;
- contract: rows of that contract (and its services);
- service: rows of that service, and contract-level rows (no service) of its contract.
A row that belongs to no contract (an organisation-level row) is visible to a contract- or
service-scoped caller only where the caller says such rows are (`organisation_rows=True`).

What each role may use at all is `shared.capabilities`; each role is Edit or Read-only, and read-only
never writes. Refusals are domain errors (`shared.errors`): 404 for a row the caller may not see, never
403, so another tenant's ids are not confirmed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.auth import Principal, ScopeType
from shared.errors import Forbidden, NotFound


def organisation_filter(principal: Principal) -> tuple[uuid.UUID, uuid.UUID | None]:
    """(authority_id, organisation_id or None for council staff who see the whole authority)."""
    if principal.is_council:
        return principal.authority_id, None
    if principal.organisation_id is None:
        raise Forbidden("this login is not linked to an organisation")
    return principal.authority_id, principal.organisation_id


def require_edit(principal: Principal) -> None:
    """Forbidden for a read-only role (what a role may use at all: `shared.capabilities`)."""
    if not principal.can_edit:
        raise Forbidden("your access is read-only")


@dataclass(frozen=True)
class Columns:
    """Where a table keeps the scoping ids (None: the table has no such column)."""

    authority: str = "authority_id"
    organisation: str | None = "organisation_id"
    contract: str | None = None
    service: str | None = None


def scope_where(
    principal: Principal,
    columns: Columns = Columns(),
    *,
    first_param: int = 1,
    organisation_rows: bool = False,
) -> tuple[str, list[Any]]:
    """A WHERE fragment and its parameters ($first_param, ...) that keep only the rows the caller may
    see. Column names come from code, never from a request."""
    n = first_param
    clauses = [f"{columns.authority} = ${n}"]
    params: list[Any] = [principal.authority_id]
    if principal.is_council:
        return clauses[0], params
    _, organisation_id = organisation_filter(principal)

    def param(value: Any) -> str:
        params.append(value)
        return f"${first_param + len(params) - 1}"

    if columns.organisation is not None:
        clauses.append(f"{columns.organisation} = {param(organisation_id)}")
    scope = principal.scope_type
    if scope is ScopeType.contract:
        if columns.contract is not None:
            clauses.append(f"{columns.contract} = {param(principal.scope_id)}")
        elif columns.service is not None or not organisation_rows:
            clauses.append("FALSE")  # a service table needs its contract column to be scoped by contract
    elif scope is ScopeType.service:
        if columns.service is not None and columns.contract is not None and principal.scope_contract_id:
            service, contract = param(principal.scope_id), param(principal.scope_contract_id)
            clauses.append(
                f"({columns.service} = {service} OR ({columns.service} IS NULL AND {columns.contract} = {contract}))"
            )
        elif columns.service is not None:
            clauses.append(f"{columns.service} = {param(principal.scope_id)}")
        elif columns.contract is not None and principal.scope_contract_id:
            clauses.append(f"{columns.contract} = {param(principal.scope_contract_id)}")
        elif columns.contract is not None or not organisation_rows:
            clauses.append("FALSE")
    return " AND ".join(clauses), params


def can_see(
    principal: Principal,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None = None,
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> bool:
    """The same rule as `scope_where`, for one row already in hand (None: the row has no such level)."""
    if authority_id != principal.authority_id:
        return False
    if principal.is_council:
        return True
    if principal.organisation_id is None or organisation_id != principal.organisation_id:
        return False
    if principal.scope_type is ScopeType.contract:
        return contract_id is not None and contract_id == principal.scope_id
    if principal.scope_type is ScopeType.service:
        if service_id is not None:
            return service_id == principal.scope_id
        return contract_id is not None and contract_id == principal.scope_contract_id
    return True


def require_visible(principal: Principal, what: str, **ids: Any) -> None:
    """404 (never 403: another tenant's ids must not be confirmed) unless the caller may see the row."""
    if not can_see(principal, **ids):
        raise NotFound.of(what)
