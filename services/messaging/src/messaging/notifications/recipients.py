"""Who a notification goes to.

- A provider: the active portal users linked to the organisation (identity's users, kept by `users`),
  those whose role gives access to actions (shared.capabilities: Care Management, Full Access, Main;
  not Finance or Admin Functions, who could not open the action the mail links to) and whose access
  covers the whole organisation, or the contract or service the action is about.
- A council team: its configured mailbox. Team membership (which council staff belong to a team) is not
  modelled in the portal, so a team's mail goes to the team's shared address, which the authority sets
  in the team's configuration.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from messaging.notifications.outbox import Recipient
from shared.auth import Role
from shared.capabilities import Capability, capabilities_of

# The roles that may open an action: only they are told of one.
ACTION_ROLES = sorted(role.value for role in Role if Capability.actions in capabilities_of(role))

PROVIDER_USERS_SQL = """
SELECT DISTINCT u.user_id, u.email
FROM messaging.portal_user u
JOIN messaging.portal_user_membership m ON m.user_id = u.user_id
WHERE u.authority_id = $1 AND m.organisation_id = $2 AND u.active AND NOT u.is_council
  AND (m.scope_type = 'organisation' OR m.scope_id = ANY($3::uuid[]))
  AND m.role = ANY($4::text[])
ORDER BY u.email, u.user_id
"""


async def provider_recipients(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_ids: Sequence[uuid.UUID] = (),
) -> list[Recipient]:
    """The provider's users to tell: a role with access to actions, and organisation-wide access or
    access to one of `scope_ids` (the contract and service the action relates to). Scoped by the
    authority: another council's organisation id finds no one."""
    rows = await conn.fetch(PROVIDER_USERS_SQL, authority_id, organisation_id, list(scope_ids), ACTION_ROLES)
    return [Recipient(address=r["email"], user_id=r["user_id"]) for r in rows]


def team_recipients(mailbox: str | None) -> list[Recipient]:
    """A council team's configured mailbox (no one when the team has none)."""
    return [Recipient(address=mailbox.strip())] if mailbox and mailbox.strip() else []
