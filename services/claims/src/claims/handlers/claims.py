"""A provider's claims: list, start, read, change the date or notes, delete a draft, submit (contract
"Provider API"). Items are in `claims.handlers.items`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from claims.domain import rules
from claims.domain.requests import CLAIM, REQUESTS, ClaimRequest, claim_subject
from claims.handlers.access import (
    Checks,
    find_claim,
    require_editor,
    require_viewer,
    today,
    writable_claim,
)
from claims.handlers.attachments import ClaimFiles
from claims.handlers.views import claim_state, submitted_event
from claims.store import claims, items, levels
from claims.store.records import ClaimRow, ItemRow
from shared.auth import Principal
from shared.errors import Forbidden, Invalid
from shared.events.claims import ClaimState
from shared.uow import Caller, Work

STATUSES = ("unsubmitted", "pending", "accepted", "rejected")


async def state_of(conn: asyncpg.Connection, principal: Principal, claim: ClaimRow) -> ClaimState:
    rows = await items.of_claim(conn, scope=items.item_scope(principal), claim_id=claim.claim_id)
    return claim_state(claim, rows)


async def list_claims(
    caller: Caller, work: Work, *, status: str | None, limit: int, offset: int
) -> list[ClaimRow]:
    """The organisation's claims, newest claim date first."""
    require_viewer(caller.principal)
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", f"must be one of {', '.join(STATUSES)}")
    async with work.read() as conn:
        return await claims.list_page(
            conn, scope=claims.claim_scope(caller.principal), status=status, limit=limit, offset=offset
        )


async def get_claim(caller: Caller, work: Work, *, claim_id: uuid.UUID) -> ClaimState:
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await state_of(conn, caller.principal, await find_claim(conn, caller.principal, claim_id))


async def create_claim(
    caller: Caller, work: Work, *, claim_date: date | None, notes: str | None
) -> ClaimState:
    """A new draft of the caller's organisation, dated today unless said; only where the council takes
    one-off claims from it (a claimable level open to it today)."""
    principal = caller.principal
    require_editor(principal)
    checks = Checks()
    day = checks.run(lambda: rules.claim_date(claim_date or today(), today=today()))
    text = checks.run(lambda: rules.notes(notes))
    checks.raise_any()
    assert day is not None and text is not None and principal.organisation_id is not None
    async with work.begin(caller.actor) as uow:
        offered = await levels.offered(
            uow.conn,
            scope=levels.level_scope(principal),
            organisation_id=principal.organisation_id,
            day=today(),
        )
        if not offered:
            raise Forbidden(
                "the council does not take one-off claims from you through the portal",
                code="claims-not-offered",
            )
        claim = await claims.add(
            uow.conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            claim_date=day,
            notes=text,
            created_by=principal.subject,
        )
        await uow.audit(
            "claim_created",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=claim.claim_id,
            claim_date=claim.claim_date.isoformat(),
        )
        uow.log("claim_created", claim_id=str(claim.claim_id))
        return claim_state(claim, [])


@dataclass(frozen=True)
class ClaimChange:
    version: int
    claim_date: date | None = None  # None: unchanged
    notes: str | None = None  # None: unchanged


async def change_claim(caller: Caller, work: Work, *, claim_id: uuid.UUID, change: ClaimChange) -> ClaimState:
    """New date or notes of a draft. A new date must still suit every item: its level in effect and
    open to the provider, its client placed with it."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, change.version)
        checks = Checks()
        # The date's window is checked on a new date only: a draft's notes can still be changed when its
        # date has aged (submitting it is refused then, naming the date).
        new_date = change.claim_date
        day = (
            claim.claim_date
            if new_date is None
            else checks.run(lambda: rules.claim_date(new_date, today=today()))
        )
        text = checks.run(lambda: rules.notes(claim.notes if change.notes is None else change.notes))
        rows = await items.of_claim(uow.conn, scope=items.item_scope(principal), claim_id=claim_id)
        if day is not None and day != claim.claim_date:
            for problem in await unsuitable(uow.conn, principal, rows, day):
                checks.refuse("claim_date", f"does not suit the item {problem}")
        checks.raise_any()
        assert day is not None and text is not None
        changed = await claims.change(
            uow.conn, scope=claims.claim_scope(principal), claim_id=claim_id, claim_date=day, notes=text
        )
        await uow.audit(
            "claim_changed",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=claim_id,
            version=changed.version,
            claim_date=day.isoformat(),
        )
        return claim_state(changed, rows)


async def unsuitable(
    conn: asyncpg.Connection, principal: Principal, rows: list[ItemRow], day: date
) -> list[str]:
    """The items that could not be claimed on `day`, each described for a message."""
    assert principal.organisation_id is not None
    problems = []
    for row in rows:
        level = await levels.usable(
            conn,
            scope=levels.level_scope(principal),
            organisation_id=principal.organisation_id,
            level_id=row.level_id,
            kind=row.kind,
            day=day,
        )
        if level is None:
            problems.append(f'"{row.description}": its service level cannot be claimed on {day:%d/%m/%Y}')
        elif row.client_id is not None and (
            await levels.placed_client(
                conn, scope=levels.placement_scope(principal), client_id=row.client_id, day=day
            )
            is None
        ):
            problems.append(f'"{row.description}": its client is not placed with you on {day:%d/%m/%Y}')
    return problems


async def delete_claim(
    caller: Caller, work: Work, *, claim_id: uuid.UUID, version: int, files: ClaimFiles
) -> None:
    """A draft deleted with its items and their files."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, version)
        rows = await items.of_claim(uow.conn, scope=items.item_scope(principal), claim_id=claim_id)
        await claims.delete(uow.conn, scope=claims.claim_scope(principal), claim_id=claim_id)
        for row in rows:
            if row.attachment_id is not None:
                await files.forget(uow.conn, principal, row.attachment_id)
        await uow.audit(
            "claim_deleted",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=claim_id,
            items=len(rows),
        )
        uow.log("claim_deleted", claim_id=str(claim_id))


async def submit_claim(caller: Caller, work: Work, *, claim_id: uuid.UUID, version: int) -> ClaimState:
    """The draft goes to the council: pending, as a request of the kind "claim" (shared.decisions), with
    `claims.claim.submitted.v1` published. Each item must still be claimable on the claim's date."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, version)
        rows = await items.of_claim(uow.conn, scope=items.item_scope(principal), claim_id=claim_id)
        if not rows:
            raise Invalid.field("items", "a claim needs at least one item", code="no-items")
        checks = Checks()
        checks.run(lambda: rules.claim_date(claim.claim_date, today=today()))
        for problem in await unsuitable(uow.conn, principal, rows, claim.claim_date):
            checks.refuse("items", f"cannot be submitted: {problem}")
        checks.raise_any()
        request = await REQUESTS.submit(
            uow,
            principal,
            CLAIM,
            ClaimRequest(claim_id=claim_id, claim_date=claim.claim_date, total=claim.total),
            subject=claim_subject(claim_id),
            claim_id=claim_id,
            total=str(claim.total),
        )
        done = await claims.submitted(
            uow.conn,
            scope=claims.claim_scope(principal),
            claim_id=claim_id,
            submitted_by=principal.subject,
            request_id=request.request_id,
        )
        await uow.publish(submitted_event(done, rows), aggregate_id=claim_id, authority_id=done.authority_id)
        uow.log("claim_submitted", claim_id=str(claim_id), total=str(done.total), items=len(rows))
        return claim_state(done, rows)
