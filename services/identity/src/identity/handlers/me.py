"""Who am I: the caller, the organisation they are shown and every one they are linked to, their role
and scope, and their authority's branding and password rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from identity import errors
from identity.context import Context
from identity.handlers.common import authority_by_id, memberships_of
from identity.store import directory, users
from identity.store.directory import Authority, Organisation
from identity.store.users import Membership, User
from shared.auth import PrincipalKind
from shared.uow import Caller


@dataclass(frozen=True)
class Scope:
    type: str  # authority | organisation | contract | service
    id: uuid.UUID | None


@dataclass(frozen=True)
class WhoAmI:
    kind: str  # user | api_key | council_client
    user: User | None
    authority: Authority
    organisation: Organisation | None  # the organisation shown now
    organisations: list[Membership]  # every organisation the login is linked to
    role: str
    can_edit: bool
    scope: Scope
    password_rules: list[str]


async def whoami(caller: Caller, ctx: Context) -> WhoAmI:
    principal = caller.principal
    async with ctx.work.read() as conn:
        authority = await authority_by_id(conn, principal.authority_id)
        user, memberships = None, []
        if principal.kind is PrincipalKind.user:
            user = await users.get_user(
                conn=conn, authority_id=principal.authority_id, user_id=uuid.UUID(principal.subject)
            )
            if user is None:
                raise errors.session_ended()
            memberships = await memberships_of(conn, user.user_id)
        organisation = None
        if principal.organisation_id is not None:
            organisation = await directory.get_organisation(
                conn=conn, authority_id=principal.authority_id, organisation_id=principal.organisation_id
            )
    return WhoAmI(
        kind=principal.kind.value,
        user=user,
        authority=authority,
        organisation=organisation,
        organisations=memberships,
        role=principal.role.value,
        can_edit=principal.can_edit,
        scope=Scope(principal.scope_type.value, principal.scope_id),
        password_rules=directory.policy_of(authority).password.describe(),
    )
