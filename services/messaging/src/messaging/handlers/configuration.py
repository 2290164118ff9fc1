"""An authority's configuration of actions (council API): its teams, its action types with their default
team and response time, and the seeds' values as defaults (`apply_defaults`, used by the council, the
demo and the first event-born action of an authority that has configured nothing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from messaging.domain import defaults, rules
from messaging.handlers.access import require_council, require_viewer, require_writer
from messaging.notifications.outbox import address_problem
from messaging.store import config
from messaging.store.records import TeamRow, TypeRow
from shared.errors import Conflict, Invalid, NotFound
from shared.uow import Caller, Work


async def list_teams(caller: Caller, work: Work, *, active_only: bool) -> list[TeamRow]:
    """The authority's teams (a provider sees the active ones: its Assign To list)."""
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        return await config.teams(
            conn, authority_id=principal.authority_id, active_only=active_only or not principal.is_council
        )


async def list_types(caller: Caller, work: Work, *, active_only: bool) -> list[TypeRow]:
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        return await config.types(
            conn, authority_id=principal.authority_id, active_only=active_only or not principal.is_council
        )


def mailbox(value: str | None) -> str | None:
    """A team's mailbox: one e-mail address, or none (blank clears it). A line break is refused with its
    own message: in a mail header it would start another header (header injection)."""
    if value is None or not value.strip():
        return None
    address = value.strip()
    if len(address) > rules.MAILBOX_MAX:
        raise Invalid.field(
            "mailbox", f"must be at most {rules.MAILBOX_MAX} characters", code="invalid-mailbox"
        )
    if problem := address_problem(address):
        raise Invalid.field("mailbox", problem, code="invalid-mailbox")
    return address


async def add_team(
    caller: Caller, work: Work, *, name: str | None, mailbox_address: str | None = None
) -> TeamRow:
    principal = caller.principal
    require_council(principal)
    require_writer(principal)
    text = rules.name(name)
    address = mailbox(mailbox_address)
    async with work.begin(caller.actor) as uow:
        team = await config.add_team(
            uow.conn, authority_id=principal.authority_id, name=text, mailbox=address
        )
        if team is None:
            raise Conflict(f'your council has a team called "{text}" already', code="team-exists")
        await uow.audit(
            "action_team_added",
            authority_id=principal.authority_id,
            subject_id=team.team_id,
            name=text,
            mailbox=address,
        )
        return team


KEEP = object()  # a change that leaves the mailbox as it is (PATCH without the field)


async def change_team(
    caller: Caller,
    work: Work,
    *,
    team_id: uuid.UUID,
    name: str | None,
    active: bool | None,
    mailbox_address: str | object | None = KEEP,
) -> TeamRow:
    """Rename, (de)activate, or set or clear (null or blank) the mailbox; what is not given is kept."""
    principal = caller.principal
    require_council(principal)
    require_writer(principal)
    address = None if mailbox_address is KEEP else mailbox(mailbox_address)  # type: ignore[arg-type]
    async with work.begin(caller.actor) as uow:
        team = await config.team(uow.conn, authority_id=principal.authority_id, team_id=team_id)
        if team is None:
            raise NotFound.of("team")
        text = team.name if name is None else rules.name(name)
        changed = await config.change_team(
            uow.conn,
            authority_id=principal.authority_id,
            team_id=team_id,
            name=text,
            active=team.active if active is None else active,
            mailbox=team.mailbox if mailbox_address is KEEP else address,
        )
        if changed is None:
            raise Conflict(f'your council has another team called "{text}"', code="team-exists")
        await uow.audit(
            "action_team_changed",
            authority_id=principal.authority_id,
            subject_id=team_id,
            name=text,
            active=changed.active,
            mailbox=changed.mailbox,
        )
        return changed


@dataclass(frozen=True)
class TypeForm:
    name: str | None
    default_team_id: uuid.UUID | None
    response_days: int | None
    active: bool | None = None
    keep_response_days: bool = False  # a change that leaves the response time as it is


async def _team_of_authority(
    conn: asyncpg.Connection, authority_id: uuid.UUID, team_id: uuid.UUID | None
) -> TeamRow:
    if team_id is None:
        raise Invalid.field("default_team_id", "choose the team this type goes to")
    team = await config.team(conn, authority_id=authority_id, team_id=team_id)
    if team is None or not team.active:
        raise Invalid.field("default_team_id", "is not a team of your council", code="unknown-team")
    return team


async def add_type(caller: Caller, work: Work, *, form: TypeForm) -> TypeRow:
    principal = caller.principal
    require_council(principal)
    require_writer(principal)
    text = rules.name(form.name)
    days = rules.response_days(form.response_days)
    async with work.begin(caller.actor) as uow:
        team = await _team_of_authority(uow.conn, principal.authority_id, form.default_team_id)
        type_id = await config.add_type(
            uow.conn,
            authority_id=principal.authority_id,
            name=text,
            default_team_id=team.team_id,
            response_days=days,
        )
        if type_id is None:
            raise Conflict(f'your council has an action type called "{text}" already', code="type-exists")
        await uow.audit(
            "action_type_added", authority_id=principal.authority_id, subject_id=type_id, name=text
        )
        found = await config.action_type(uow.conn, authority_id=principal.authority_id, type_id=type_id)
        assert found is not None
        return found


async def change_type(caller: Caller, work: Work, *, type_id: uuid.UUID, form: TypeForm) -> TypeRow:
    """A new name, default team, response time (for actions opened from now on) or active flag."""
    principal = caller.principal
    require_council(principal)
    require_writer(principal)
    async with work.begin(caller.actor) as uow:
        kind = await config.action_type(uow.conn, authority_id=principal.authority_id, type_id=type_id)
        if kind is None:
            raise NotFound.of("action type")
        text = kind.name if form.name is None else rules.name(form.name)
        team = await _team_of_authority(
            uow.conn, principal.authority_id, form.default_team_id or kind.default_team_id
        )
        days = kind.response_days if form.keep_response_days else rules.response_days(form.response_days)
        if not await config.change_type(
            uow.conn,
            authority_id=principal.authority_id,
            type_id=type_id,
            name=text,
            default_team_id=team.team_id,
            response_days=days,
            active=kind.active if form.active is None else form.active,
        ):
            raise Conflict(f'your council has another action type called "{text}"', code="type-exists")
        await uow.audit(
            "action_type_changed", authority_id=principal.authority_id, subject_id=type_id, name=text
        )
        found = await config.action_type(uow.conn, authority_id=principal.authority_id, type_id=type_id)
        assert found is not None
        return found


async def ensure_defaults(conn: asyncpg.Connection, authority_id: uuid.UUID) -> int:
    """The seeds' teams and types the authority does not have yet (by name; a type's purpose only where
    no type of the authority has it): how many rows were added. Idempotent."""
    added = 0
    teams: dict[str, uuid.UUID] = {}
    for name in defaults.TEAMS:
        team = await config.team_named(conn, authority_id=authority_id, name=name)
        if team is None:
            team = await config.add_team(conn, authority_id=authority_id, name=name)
            added += team is not None
        # Made by another transaction meanwhile (two events of a new authority at once): read it.
        team = team or await config.team_named(conn, authority_id=authority_id, name=name)
        assert team is not None
        teams[name] = team.team_id
    for kind in defaults.TYPES:
        purpose = kind.purpose
        if purpose and await config.type_for(conn, authority_id=authority_id, purpose=purpose):
            purpose = None
        if await config.add_type(
            conn,
            authority_id=authority_id,
            name=kind.name,
            default_team_id=teams[kind.team],
            response_days=kind.response_days,
            purpose=purpose,
        ):
            added += 1
    return added


async def apply_defaults(caller: Caller, work: Work) -> list[TypeRow]:
    """The seeds' configuration for the caller's authority (what it has already is left as it is)."""
    principal = caller.principal
    require_council(principal)
    require_writer(principal)
    async with work.begin(caller.actor) as uow:
        added = await ensure_defaults(uow.conn, principal.authority_id)
        await uow.audit("action_defaults_applied", authority_id=principal.authority_id, added=added)
        return await config.types(uow.conn, authority_id=principal.authority_id, active_only=False)
