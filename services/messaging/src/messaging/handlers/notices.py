"""The e-mails an action's change queues (docs/messaging.md "Notifications"), written by `queue` in the
unit of work that changed the action, so a mail exists if, and only if, its change is committed.

- Opened (by a provider, or from an event) or reassigned while it waits for the council: "assigned" to
  the team's mailbox.
- A reply: to the side it is passed to: the provider's reply to the team's mailbox, the council's reply
  to the provider's users (organisation-wide, or with access to the action's contract or service).
- The overdue sweep: a reminder (non-essential) to whichever side it waits for.
- Nothing else (a comment, a file, a closure request, a closure): the turn does not pass to anyone new.

Each mail is keyed by the action and the post (or the due date, for the reminder), so a retried request
or a redelivered event queues nothing twice. The author of the post is never told of it. A mail names
the action's short reference, type, provider and team, never its title or text (see mails.py).
"""

from __future__ import annotations

import functools

import asyncpg

from messaging.config import PortalAddress
from messaging.notifications import (
    Mail,
    Recipient,
    action_link,
    assigned_mail,
    council_action_link,
    overdue_mail,
    provider_recipients,
    queue,
    reply_mail,
    team_recipients,
)
from messaging.notifications.mails import plain
from messaging.store import config, related
from messaging.store.records import ActionRow, PostRow
from shared.events.messaging import Change

PROVIDER = "the provider"


@functools.cache
def portal_url() -> str:
    """The portal's address the mails link to (MESSAGING_PORTAL_URL, read once per process)."""
    return str(PortalAddress().portal_url).rstrip("/")


def reference(action: ActionRow) -> str:
    """How a mail names the action: the first eight hex digits of its id (no other reference exists)."""
    return f"ACT-{action.action_id.hex[:8].upper()}"


async def link(conn: asyncpg.Connection, action: ActionRow) -> str:
    """The action's page for the provider's users (`/<slug>/actions/<id>`); until identity's authority
    event has reached messaging (no slug yet), the portal itself, whose login leads the reader to their
    council's pages."""
    slug = await related.authority_slug(conn, authority_id=action.authority_id)
    return action_link(portal_url(), slug, action.action_id) if slug else f"{portal_url()}/"


async def _provider_name(conn: asyncpg.Connection, action: ActionRow) -> str:
    if action.organisation_id is None:  # a task about a person (a password reset): the council's only
        return "none (a council task)"
    name = await related.organisation_name(
        conn, authority_id=action.authority_id, organisation_id=action.organisation_id
    )
    return name or "Provider"


async def _team(conn: asyncpg.Connection, action: ActionRow) -> list[Recipient]:
    team = await config.team(conn, authority_id=action.authority_id, team_id=action.team_id)
    return team_recipients(team.mailbox if team is not None else None)


async def _provider(conn: asyncpg.Connection, action: ActionRow) -> list[Recipient]:
    if action.organisation_id is None:
        return []
    scope_ids = [i for i in (action.contract_id, action.service_id) if i is not None]
    return await provider_recipients(
        conn, authority_id=action.authority_id, organisation_id=action.organisation_id, scope_ids=scope_ids
    )


async def _send(
    conn: asyncpg.Connection, action: ActionRow, key: str, recipients: list[Recipient], mail: Mail
) -> int:
    return await queue(
        conn,
        authority_id=action.authority_id,
        key=key,
        recipients=recipients,
        subject=mail.subject,
        body=mail.body,
        essential=mail.essential,
    )


async def action_changed(conn: asyncpg.Connection, action: ActionRow, post: PostRow, change: Change) -> int:
    """The mails of one change of `action` by `post` (its state after the change); how many were new."""
    passed = change in ("opened", "reassigned", "replied") and action.status != "closed"
    if not passed:
        return 0
    if change == "reassigned" and action.assigned_to != "council":
        return 0  # moved between teams while it waits for the provider: not the new team's turn yet
    provider_name = await _provider_name(conn, action)
    key = f"action:{action.action_id}:{change}:{post.post_id}"
    if action.assigned_to == "council":
        recipients = await _team(conn, action)
        if change == "replied":
            mail = reply_mail(
                reference=reference(action),
                action_type=action.type_name,
                provider_name=provider_name,
                replied_by=plain(post.author_label),
                link=council_action_link(portal_url(), action.action_id),
                council=True,
            )
        else:
            mail = assigned_mail(
                reference=reference(action),
                action_type=action.type_name,
                provider_name=provider_name,
                assigned_to=action.team_name,
                due=action.due_date,
                link=council_action_link(portal_url(), action.action_id),
                council=True,
            )
    else:
        recipients = await _provider(conn, action)
        mail = reply_mail(
            reference=reference(action),
            action_type=action.type_name,
            provider_name=provider_name,
            replied_by=action.team_name,
            link=await link(conn, action),
        )
    # Never the author about their own post (a user id; a team's mailbox is no one's own).
    recipients = [r for r in recipients if r.user_id is None or str(r.user_id) != post.author]
    return await _send(conn, action, key, recipients, mail)


async def action_overdue(conn: asyncpg.Connection, action: ActionRow) -> int:
    """The reminder that an open action passed its due date, to the side it waits for (once per due
    date: a new due date would be a new reminder)."""
    if action.due_date is None or action.status == "closed":
        return 0
    provider_name = await _provider_name(conn, action)
    council = action.assigned_to == "council"
    recipients = await (_team(conn, action) if council else _provider(conn, action))
    mail = overdue_mail(
        reference=reference(action),
        action_type=action.type_name,
        provider_name=provider_name,
        assigned_to=action.team_name if council else provider_name,
        due=action.due_date,
        link=council_action_link(portal_url(), action.action_id) if council else await link(conn, action),
        council=council,
    )
    key = f"action:{action.action_id}:overdue:{action.due_date.isoformat()}"
    return await _send(conn, action, key, recipients, mail)
