"""Memberships: a provider user's role and scope in each organisation they are linked to, and the
organisation's contacts as its Admins see them."""

from __future__ import annotations

import uuid

import asyncpg

from identity.store.contracts import within_scope
from identity.store.users import Membership
from shared.records import Record
from shared.store import AuthorityScope, Unscoped, execute, fetch, fetch_one


class Contact(Record):
    """A contact of an organisation: the person, and their role and scope there."""

    user_id: uuid.UUID
    email: str
    forename: str
    surname: str
    phone: str | None
    active: bool
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID
    scope_name: str | None  # the organisation's, contract's or service's name


# The handler has found the user in the caller's authority (or the user is the caller).
OF_A_KNOWN_USER = Unscoped("the user's own links, for a user the handler found in the caller's authority")


async def list_memberships(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> list[Membership]:
    """The organisations the user is linked to, with role and scope, by organisation name."""
    return await fetch(
        conn,
        Membership,
        """
        SELECT m.organisation_id, o.name AS organisation_name, o.reference AS organisation_reference,
               m.role, m.can_edit, m.scope_type, m.scope_id
          FROM identity.membership m JOIN identity.organisation o USING (organisation_id)
         WHERE m.user_id = $1 AND o.active
         ORDER BY o.name, m.organisation_id
        """,
        user_id,
        scope=OF_A_KNOWN_USER,
    )


async def upsert_membership(
    *,
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    organisation_id: uuid.UUID,
    role: str,
    can_edit: bool,
    scope_type: str,
    scope_id: uuid.UUID,
) -> None:
    """Link the user to the organisation with this role and scope, or change the link."""
    await execute(
        conn,
        """
        INSERT INTO identity.membership (user_id, organisation_id, role, can_edit, scope_type, scope_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (user_id, organisation_id) DO UPDATE
           SET role = EXCLUDED.role, can_edit = EXCLUDED.can_edit, scope_type = EXCLUDED.scope_type,
               scope_id = EXCLUDED.scope_id, granted_at = now()
        """,
        user_id,
        organisation_id,
        role,
        can_edit,
        scope_type,
        scope_id,
        scope=OF_A_KNOWN_USER,
    )


async def delete_membership(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> bool:
    """Unlink the user from the organisation; True if they were linked."""
    result = await execute(
        conn,
        "DELETE FROM identity.membership WHERE user_id = $1 AND organisation_id = $2",
        user_id,
        organisation_id,
        scope=OF_A_KNOWN_USER,
    )
    return result.split()[-1] != "0"


# Contacts whose scope lies within the caller's ($2, $3) in the organisation ($1).
CONTACTS = f"""
    SELECT u.user_id, u.email, u.forename, u.surname, u.phone, u.active, m.role, m.can_edit,
           m.scope_type, m.scope_id,
           CASE m.scope_type WHEN 'organisation' THEN o.name WHEN 'contract' THEN c.name ELSE s.name END
               AS scope_name
      FROM identity.membership m
      JOIN identity.app_user u USING (user_id)
      JOIN identity.organisation o USING (organisation_id)
      LEFT JOIN identity.contract c ON m.scope_type = 'contract' AND c.contract_id = m.scope_id
      LEFT JOIN identity.provider_service s ON m.scope_type = 'service' AND s.service_id = m.scope_id
     WHERE {{scope}} AND m.organisation_id = $1
       AND {within_scope(type_col="m.scope_type", id_col="m.scope_id", type_param=2, id_param=3)}
"""


def _users_of(authority_id: uuid.UUID) -> AuthorityScope:
    return AuthorityScope(authority_id, column="u.authority_id")


async def list_contacts(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    limit: int | None,
    offset: int,
) -> list[Contact]:
    """The organisation's contacts whose scope lies within the given one ('organisation': all), with
    their role and scope there (and the scope's name), by name."""
    return await fetch(
        conn,
        Contact,
        CONTACTS + " ORDER BY u.surname, u.forename, u.email, u.user_id LIMIT $4 OFFSET $5",
        organisation_id,
        scope_type,
        scope_id,
        limit,
        offset,
        scope=_users_of(authority_id),
    )


async def get_contact(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    user_id: uuid.UUID,
    for_update: bool = False,
) -> Contact | None:
    """One of those contacts (locked while a change to their link is decided: for_update)."""
    lock = " FOR UPDATE OF m" if for_update else ""
    return await fetch_one(
        conn,
        Contact,
        CONTACTS + " AND u.user_id = $4" + lock,
        organisation_id,
        scope_type,
        scope_id,
        user_id,
        scope=_users_of(authority_id),
    )
