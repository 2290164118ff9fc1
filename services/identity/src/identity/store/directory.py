"""Authorities (policies, branding) and organisations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from identity.domain.passwords import PasswordPolicy
from identity.domain.policy import AuthorityPolicy
from shared.records import Record
from shared.store import AuthorityScope, Unscoped, fetch, fetch_one

POLICY_COLUMNS = (
    "password_min_length",
    "password_require_letter",
    "password_require_non_letter",
    "password_require_upper",
    "password_require_lower",
    "password_require_digit",
    "password_require_symbol",
    "password_expiry_days",
    "password_history",
    "max_password_failures",
    "max_code_failures",
    "inactivity_lock_days",
    "session_idle_minutes",
    "session_absolute_minutes",
)
# Not part of the login policy that events carry: how long an organisation's API keys may live.
KEY_POLICY_COLUMNS = ("api_key_max_days",)
BRANDING_COLUMNS = ("name", "primary_colour", "secondary_colour", "support_email", "support_phone")
AUTHORITY_COLUMNS = ", ".join(
    (
        "authority_id",
        "slug",
        *BRANDING_COLUMNS,
        *POLICY_COLUMNS,
        *KEY_POLICY_COLUMNS,
        "revision",
        "updated_at",
    )
)


class Authority(Record):
    """An authority (a council's portal): its branding, support contact and security policy."""

    authority_id: uuid.UUID
    slug: str
    name: str
    primary_colour: str
    secondary_colour: str
    support_email: str | None
    support_phone: str | None
    password_min_length: int
    password_require_letter: bool
    password_require_non_letter: bool
    password_require_upper: bool
    password_require_lower: bool
    password_require_digit: bool
    password_require_symbol: bool
    password_expiry_days: int
    password_history: int
    max_password_failures: int
    max_code_failures: int
    inactivity_lock_days: int
    session_idle_minutes: int
    session_absolute_minutes: int
    api_key_max_days: int
    revision: int
    updated_at: datetime


def policy_of(authority: Authority) -> AuthorityPolicy:
    """The authority's policy, from its row; ValueError when the values do not make a valid policy."""
    return AuthorityPolicy(
        password=PasswordPolicy(
            min_length=authority.password_min_length,
            require_letter=authority.password_require_letter,
            require_non_letter=authority.password_require_non_letter,
            require_upper=authority.password_require_upper,
            require_lower=authority.password_require_lower,
            require_digit=authority.password_require_digit,
            require_symbol=authority.password_require_symbol,
            expiry_days=authority.password_expiry_days,
            history=authority.password_history,
        ),
        max_password_failures=authority.max_password_failures,
        max_code_failures=authority.max_code_failures,
        inactivity_lock_days=authority.inactivity_lock_days,
        session_idle_minutes=authority.session_idle_minutes,
        session_absolute_minutes=authority.session_absolute_minutes,
    )


async def get_authority(*, conn: asyncpg.Connection, authority_id: uuid.UUID) -> Authority | None:
    """The authority with its policy and branding, or None."""
    sql = f"SELECT {AUTHORITY_COLUMNS} FROM identity.authority WHERE {{scope}}"
    return await fetch_one(conn, Authority, sql, scope=AuthorityScope(authority_id))


# Branding and password rules are public: the login pages show them before anyone logs in.
PUBLIC = Unscoped("an authority's branding and password rules are shown before anyone logs in")


async def list_authorities(*, conn: asyncpg.Connection) -> list[Authority]:
    """Every authority, by name."""
    sql = f"SELECT {AUTHORITY_COLUMNS} FROM identity.authority ORDER BY name"
    return await fetch(conn, Authority, sql, scope=PUBLIC)


async def get_authority_by_slug(*, conn: asyncpg.Connection, slug: str) -> Authority | None:
    """The authority whose portal address ends in `slug`, or None."""
    sql = f"SELECT {AUTHORITY_COLUMNS} FROM identity.authority WHERE slug = $1"
    return await fetch_one(conn, Authority, sql, slug, scope=PUBLIC)


async def upsert_authority(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, slug: str, name: str
) -> None:
    """Create the authority, or rename it."""
    await conn.execute(
        """
        INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)
        ON CONFLICT (authority_id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name
        """,
        authority_id,
        slug,
        name,
    )


async def update_authority(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, values: Mapping[str, Any]
) -> Authority | None:
    """Set branding and policy columns (only those named in `values`); bump the revision."""
    allowed = set(BRANDING_COLUMNS) | set(POLICY_COLUMNS) | set(KEY_POLICY_COLUMNS)
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not authority columns: {sorted(unknown)}")
    names = sorted(values)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=1))
    return await fetch_one(
        conn,
        Authority,
        f"UPDATE identity.authority SET {assignments}{', ' if names else ''}"
        " revision = revision + 1, updated_at = now()"
        f" WHERE {{scope}} RETURNING {AUTHORITY_COLUMNS}",
        *(values[n] for n in names),
        scope=AuthorityScope(authority_id),
    )


ORGANISATION_DETAILS = ("address", "postcode", "phone", "email")
ORGANISATION_COLUMNS = (
    "organisation_id, authority_id, reference, name, active, address, postcode, phone, email, revision,"
    " updated_at"
)


class Organisation(Record):
    """A provider organisation of an authority, with its contact details."""

    organisation_id: uuid.UUID
    authority_id: uuid.UUID
    reference: str
    name: str
    active: bool
    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    revision: int
    updated_at: datetime


async def upsert_organisation(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    reference: str,
    name: str,
    active: bool,
    details: Mapping[str, str | None] | None = None,
) -> Organisation:
    """Create the organisation with this reference in the authority, or change it; bump its revision.
    `details`: the contact details given (ORGANISATION_DETAILS); one not given is kept as it is."""
    details = dict(details or {})
    unknown = set(details) - set(ORGANISATION_DETAILS)
    if unknown:
        raise ValueError(f"not organisation details: {sorted(unknown)}")
    names = sorted(details)
    keep = "".join(f", {n} = EXCLUDED.{n}" for n in names)
    organisation = await fetch_one(
        conn,
        Organisation,
        f"""
        INSERT INTO identity.organisation AS o (organisation_id, authority_id, reference, name, active
                                                {"".join(", " + n for n in names)})
        VALUES ($1, $2, $3, $4, $5{"".join(f", ${i}" for i in range(6, 6 + len(names)))})
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, active = EXCLUDED.active{keep},
               revision = o.revision + 1, updated_at = now()
        RETURNING {ORGANISATION_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        reference,
        name,
        active,
        *(details[n] for n in names),
        scope=Unscoped("the council's write in its own authority (the conflict key holds the authority)"),
    )
    assert organisation is not None
    return organisation


async def update_organisation(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    values: Mapping[str, str],
) -> Organisation | None:
    """Set the name and contact details named in `values`; bump the revision. None if the organisation
    is not the authority's."""
    unknown = set(values) - {"name", *ORGANISATION_DETAILS}
    if unknown or not values:
        raise ValueError(f"not organisation details: {sorted(unknown)}")
    names = sorted(values)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
    return await fetch_one(
        conn,
        Organisation,
        f"UPDATE identity.organisation SET {assignments}, revision = revision + 1, updated_at = now()"
        f" WHERE organisation_id = $1 AND {{scope}} RETURNING {ORGANISATION_COLUMNS}",
        organisation_id,
        *(values[n] for n in names),
        scope=AuthorityScope(authority_id),
    )


async def get_organisation(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, organisation_id: uuid.UUID, for_update: bool = False
) -> Organisation | None:
    """The organisation, if it belongs to the authority."""
    lock = " FOR UPDATE" if for_update else ""
    sql = f"SELECT {ORGANISATION_COLUMNS} FROM identity.organisation WHERE {{scope}} AND organisation_id = $1{lock}"
    return await fetch_one(conn, Organisation, sql, organisation_id, scope=AuthorityScope(authority_id))


async def list_organisations(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    limit: int | None,
    offset: int,
) -> list[Organisation]:
    """Organisations of the authority, or only the one given, by name (limit None: all)."""
    return await fetch(
        conn,
        Organisation,
        f"SELECT {ORGANISATION_COLUMNS} FROM identity.organisation"
        " WHERE {scope} AND ($1::uuid IS NULL OR organisation_id = $1)"
        " ORDER BY name, organisation_id LIMIT $2 OFFSET $3",
        organisation_id,
        limit,
        offset,
        scope=AuthorityScope(authority_id),
    )
