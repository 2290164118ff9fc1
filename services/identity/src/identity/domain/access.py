"""What a provider user may hand on to others (contact requests, API keys): never more than they have.

Roles and scopes as the seeds give them (seed 003 "How do I request access for new users?"): Full,
Finance, Care Management, Admin, each Edit or Read-only; Main only ever set by the council. Scope is
the whole organisation, one contract, or one service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

PROVIDER_ROLES = frozenset({"full", "finance", "care", "admin"})
# The roles whose holders have the admin functions (API keys among them).
ADMIN_ROLES = frozenset({"full", "main", "admin"})
COUNCIL_ONLY_ROLES = frozenset({"main"})
ALL_ROLES = PROVIDER_ROLES | COUNCIL_ONLY_ROLES


@dataclass(frozen=True)
class ScopeRef:
    type: str  # organisation | contract | service
    id: uuid.UUID
    contract_id: uuid.UUID | None = None  # for a service: its contract


def may_delegate_role(holder_role: str, wanted_role: str) -> bool:
    """Full and Main may hand on any provider role; anyone else only their own. Never Main."""
    if wanted_role not in PROVIDER_ROLES:
        return False
    return holder_role in {"full", "main"} or wanted_role == holder_role


def scope_within(holder: ScopeRef, wanted: ScopeRef) -> bool:
    """Whether `wanted` lies inside `holder` (both already known to be in the same organisation)."""
    if holder.type == "organisation":
        return True
    if holder.type == "contract":
        return (wanted.type == "contract" and wanted.id == holder.id) or (
            wanted.type == "service" and wanted.contract_id == holder.id
        )
    return wanted.type == "service" and wanted.id == holder.id


@dataclass(frozen=True)
class Holder:
    """A provider user's access in one organisation: their role, Edit or not, and scope."""

    role: str
    can_edit: bool
    scope: ScopeRef


def why_key_lapsed(
    creator: Holder | None, *, key_role: str, key_can_edit: bool, key_scope: ScopeRef
) -> str | None:
    """Why an API key no longer works with its creator's access now, or None while it still does:
    a key is never more than its creator could create today (issue 9, item 6)."""
    if creator is None:
        return "its creator is no longer linked to the organisation, or their account is locked or disabled"
    if creator.role not in ADMIN_ROLES or not creator.can_edit:
        return "its creator no longer has Admin or Full edit access"
    if not may_delegate_role(creator.role, key_role) or (key_can_edit and not creator.can_edit):
        return "its creator's role can no longer hand on the key's role"
    if not scope_within(creator.scope, key_scope):
        return "its creator's scope no longer covers the key's scope"
    return None
