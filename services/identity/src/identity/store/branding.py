"""An authority's branding (SQL only): its name, colours and support contact on identity.authority, and
its logo in identity.authority_logo."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import asyncpg

from identity.store.directory import AUTHORITY_COLUMNS, PUBLIC, Authority
from shared.records import Record
from shared.store import AuthorityScope, execute, fetch_one

# Every column a council edits with PUT .../authority/branding (a PUT sets all of them).
BRANDING_FIELDS = (
    "name",
    "primary_colour",
    "secondary_colour",
    "support_team",
    "support_email",
    "support_phone",
    "support_hours",
    "help_text",
)
_SELECT = (
    "SELECT "
    + ", ".join(f"a.{column.strip()}" for column in AUTHORITY_COLUMNS.split(","))
    + ", a.support_team, a.support_hours, a.help_text, l.media_type AS logo_media_type,"
    " l.sha256 AS logo_sha256, octet_length(l.content) AS logo_bytes"
    " FROM identity.authority a LEFT JOIN identity.authority_logo l ON l.authority_id = a.authority_id"
)


class BrandedAuthority(Authority):
    """The authority with the rest of its branding and the facts of its logo (never its bytes)."""

    support_team: str | None
    support_hours: str | None
    help_text: str | None
    logo_media_type: str | None
    logo_sha256: str | None
    logo_bytes: int | None


class Logo(Record):
    media_type: str
    sha256: str
    content: bytes


def _own(authority_id: uuid.UUID, column: str = "authority_id") -> AuthorityScope:
    return AuthorityScope(authority_id, column=column)


async def branding_by_id(*, conn: asyncpg.Connection, authority_id: uuid.UUID) -> BrandedAuthority | None:
    return await fetch_one(
        conn, BrandedAuthority, _SELECT + " WHERE {scope}", scope=_own(authority_id, "a.authority_id")
    )


async def branding_by_slug(*, conn: asyncpg.Connection, slug: str) -> BrandedAuthority | None:
    """The branding of the portal at `slug` (public: the pages show it before anyone logs in)."""
    return await fetch_one(conn, BrandedAuthority, _SELECT + " WHERE a.slug = $1", slug, scope=PUBLIC)


async def set_branding(*, conn: asyncpg.Connection, authority_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Set every branding column to `values` (those missing become NULL) and bump the revision."""
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(BRANDING_FIELDS, start=1))
    await execute(
        conn,
        f"UPDATE identity.authority SET {assignments}, revision = revision + 1, updated_at = now() WHERE {{scope}}",
        *(values.get(name) for name in BRANDING_FIELDS),
        scope=_own(authority_id),
    )


async def set_logo(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, media_type: str, content: bytes
) -> None:
    """Store the logo, replacing any other (its SHA-256 names this version in the pages' URLs)."""
    await conn.execute(
        """
        INSERT INTO identity.authority_logo (authority_id, media_type, content, sha256) VALUES ($1, $2, $3, $4)
        ON CONFLICT (authority_id) DO UPDATE SET media_type = EXCLUDED.media_type, content = EXCLUDED.content,
            sha256 = EXCLUDED.sha256, updated_at = now()
        """,
        authority_id,
        media_type,
        content,
        hashlib.sha256(content).hexdigest(),
    )
    await _bump(conn, authority_id)


async def remove_logo(*, conn: asyncpg.Connection, authority_id: uuid.UUID) -> bool:
    status = await execute(
        conn, "DELETE FROM identity.authority_logo WHERE {scope}", scope=_own(authority_id)
    )
    if status == "DELETE 0":
        return False
    await _bump(conn, authority_id)
    return True


async def logo_by_slug(*, conn: asyncpg.Connection, slug: str) -> Logo | None:
    """The logo of the portal at `slug` (public, as its branding)."""
    return await fetch_one(
        conn,
        Logo,
        "SELECT l.media_type, l.sha256, l.content FROM identity.authority_logo l"
        " JOIN identity.authority a ON a.authority_id = l.authority_id WHERE a.slug = $1",
        slug,
        scope=PUBLIC,
    )


async def _bump(conn: asyncpg.Connection, authority_id: uuid.UUID) -> None:
    # The revision names the branding's version: the gateway's stylesheet URL carries it.
    await execute(
        conn,
        "UPDATE identity.authority SET revision = revision + 1, updated_at = now() WHERE {scope}",
        scope=_own(authority_id),
    )
