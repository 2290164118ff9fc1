"""Actions born of identity's events (docs/messaging.md "Actions from events"): the requests a provider
makes of the council (a new contact, a change of contact, a change of organisation details) open a task
for the portal's administrators while pending and are closed by their decision; a forgotten-password
request opens a task about the person who asked, closed by the reset of that user's password. The
opening and closing themselves: handlers/events.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from messaging.handlers.events import Opening, close_from_event, decided_reason, open_from_event
from shared.events import (
    ContactChangeRequestUpserted,
    ContactRequestUpserted,
    Envelope,
    OrganisationChangeRequestUpserted,
    PasswordResetRequested,
    TemporaryPasswordIssued,
)
from shared.store import AuthorityScope, fetch_value

# A portal role as identity's requests name it, in the seeds' words.
ROLES = {
    "full": "Full Access",
    "finance": "Finance Functions",
    "care": "Care Management Functions",
    "admin": "Admin Functions",
}


async def _organisation_label(
    conn: asyncpg.Connection, authority_id: uuid.UUID, organisation_id: uuid.UUID
) -> str:
    name: str | None = await fetch_value(
        conn,
        "SELECT o.name FROM messaging.organisation o WHERE o.organisation_id = $1 AND {scope}",
        organisation_id,
        scope=AuthorityScope(authority_id, column="o.authority_id"),
    )
    return name or "Provider"


async def _request(
    conn: asyncpg.Connection,
    envelope: Envelope,
    *,
    key: str,
    status: str,
    what: str,
    reason: str | None,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    requested_by: uuid.UUID,
    title: str,
    text: str,
    at: datetime,
) -> None:
    """A pending request opens its task; its decision closes it."""
    if status != "pending":
        await close_from_event(
            conn,
            envelope,
            authority_id=authority_id,
            closing_key=key,
            reason=decided_reason(status, what, reason),
        )
        return
    label = await _organisation_label(conn, authority_id, organisation_id)
    await open_from_event(
        conn,
        envelope,
        Opening(
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=None,
            purpose="portal_request",
            related_kind="provider",
            related_id=organisation_id,
            related_label=label,
            title=title,
            text=text,
            author_side="provider",
            author=str(requested_by),
            author_label=label,
            source_key=key,
            closing_key=key,
            at=at,
        ),
    )


async def contact_requested(
    conn: asyncpg.Connection, envelope: Envelope, event: ContactRequestUpserted
) -> None:
    access = "Edit" if event.can_edit else "Read-only"
    await _request(
        conn,
        envelope,
        key=f"identity.contact_request:{event.request_id}",
        status=event.status,
        what="contact request",
        reason=event.reason,
        authority_id=event.authority_id,
        organisation_id=event.organisation_id,
        requested_by=event.requested_by,
        title=f"New contact request: {event.forename} {event.surname}",
        text=(
            f"Please create a Provider Portal login for {event.forename} {event.surname} ({event.email}),"
            f" {ROLES.get(event.role, event.role)} ({access}) for the {event.scope_type}."
        ),
        at=event.updated_at,
    )


async def contact_change_requested(
    conn: asyncpg.Connection, envelope: Envelope, event: ContactChangeRequestUpserted
) -> None:
    who = f"{event.forename} {event.surname}"
    if event.change == "removal":
        title, text = (
            f"Contact removal request: {who}",
            f"Please remove {who} ({event.email}) from the organisation.",
        )
    else:
        asked = event.asked
        wanted = (
            f"{ROLES.get(asked.role, asked.role)} for the {asked.scope_type}" if asked else "a new access"
        )
        title, text = (
            f"Access change request: {who}",
            f"Please change the access of {who} ({event.email}) to {wanted}.",
        )
    await _request(
        conn,
        envelope,
        key=f"identity.contact_change_request:{event.request_id}",
        status=event.status,
        what="contact change request",
        reason=event.reason,
        authority_id=event.authority_id,
        organisation_id=event.organisation_id,
        requested_by=event.requested_by,
        title=title,
        text=text,
        at=event.updated_at,
    )


async def organisation_change_requested(
    conn: asyncpg.Connection, envelope: Envelope, event: OrganisationChangeRequestUpserted
) -> None:
    values = {
        "name": event.name,
        "address": event.address,
        "postcode": event.postcode,
        "phone": event.phone,
        "email": event.email,
    }
    changed = "\n".join(f"- {field}: {values[field]}" for field in event.changed)
    await _request(
        conn,
        envelope,
        key=f"identity.organisation_change_request:{event.request_id}",
        status=event.status,
        what="organisation change request",
        reason=event.reason,
        authority_id=event.authority_id,
        organisation_id=event.organisation_id,
        requested_by=event.requested_by,
        title="Organisation details change request",
        text=f"Please change the organisation's details:\n{changed or '- (nothing differs)'}",
        at=event.updated_at,
    )


async def password_reset_requested(
    conn: asyncpg.Connection, envelope: Envelope, event: PasswordResetRequested
) -> None:
    known = "matches a login of the council" if event.user_id else "matches no login of the council"
    await open_from_event(
        conn,
        envelope,
        Opening(
            authority_id=event.authority_id,
            organisation_id=None,
            contract_id=None,
            purpose="portal_request",
            related_kind="person",
            related_id=event.user_id,
            related_label=f"{event.name} ({event.organisation_name})",
            title=f"Forgotten password: {event.name}",
            text=(
                f"{event.name} of {event.organisation_name} asked for a new password with the forgotten-password"
                f" form.\nE-mail: {event.email} ({known})\nTelephone: {event.phone}\n\nCheck who they are"
                " before resetting the password."
            ),
            author_side="system",
            author="identity",
            author_label="Forgotten password form",
            source_key=f"identity.password_reset_request:{event.request_id}",
            closing_key=f"identity.user.reset:{event.user_id}" if event.user_id else None,
            at=event.requested_at,
        ),
    )


async def password_reset(
    conn: asyncpg.Connection, envelope: Envelope, event: TemporaryPasswordIssued
) -> None:
    if event.reason != "reset":
        return
    await close_from_event(
        conn,
        envelope,
        authority_id=event.authority_id,
        closing_key=f"identity.user.reset:{event.user_id}",
        reason="The council reset the password.",
    )
