"""Who may see and change actions, and the action found within the caller's scope.

A provider's person or key needs a role that gives actions (Care Management, Full, Main: seed 003), and
Edit access to write; the council sees every action of its authority and writes with Edit access. Any
id outside the caller's scope is a 404 (another tenant's ids are never confirmed)."""

from __future__ import annotations

import uuid

import asyncpg

from messaging.domain.rules import Side
from messaging.store import actions
from messaging.store.records import ActionRow
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Forbidden, NotFound


def side_of(principal: Principal) -> Side:
    return "council" if principal.is_council else "provider"


def require_viewer(principal: Principal) -> None:
    if not principal.is_council:
        require_capability(principal, Capability.actions)


def require_writer(principal: Principal) -> None:
    if principal.is_council:
        if not principal.can_edit:
            raise Forbidden("your council access is read-only")
        return
    require_capability(principal, Capability.actions, edit=True)


def require_provider(principal: Principal) -> None:
    if principal.is_council:
        raise Forbidden("the council uses the council API (/council/v1/messaging)", code="provider-only")


def require_council(principal: Principal) -> None:
    if not principal.is_council:
        raise Forbidden("only the council can use the council API", code="council-only")


async def find_action(
    conn: asyncpg.Connection, principal: Principal, action_id: uuid.UUID, *, lock: bool = False
) -> ActionRow:
    found = await actions.get(conn, scope=actions.action_scope(principal), action_id=action_id, lock=lock)
    if found is None:
        raise NotFound.of("action")
    return found
