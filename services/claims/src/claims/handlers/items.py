"""The items of a draft claim: add, change, remove, each with its one attachment in the same unit of
work (a refused file leaves nothing written), and the attachment's download through its item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from claims.domain import rules
from claims.handlers.access import Checks, find_claim, require_editor, require_viewer, writable_claim
from claims.handlers.attachments import ClaimFiles, Upload
from claims.handlers.views import claim_state
from claims.store import claims, items, levels
from claims.store.levels import Client, Level
from claims.store.records import ClaimRow, ItemRow
from shared.attachments import Attachment
from shared.auth import Principal
from shared.errors import NotFound
from shared.events.claims import ClaimState
from shared.uow import Caller, UnitOfWork, Work

NOT_CLAIMABLE = "is not a service level you can claim"
NOT_PLACED = "is not a child/client placed with you"
ONE_PER_ITEM = "this item has an attachment already (one per item): remove it first or choose replace"
ACTIONS = ("keep", "replace", "remove")


@dataclass(frozen=True)
class ItemEntry:
    """An item as a form sends it: ids and numbers as the strings they came as (checked here)."""

    version: int
    description: str | None
    service_level_id: str | None
    client_id: str | None = None
    quantity: object = None
    unit_cost: object = None
    attachment: Upload | None = None
    attachment_action: str = "keep"  # on a change: keep | replace | remove


@dataclass(frozen=True)
class Valid:
    description: str
    level: Level
    client: Client | None
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal


def _id(value: str | None, field: str, message: str, checks: Checks) -> uuid.UUID | None:
    if value is None or not value.strip():
        what = "service level" if field == "service_level_id" else "child/client"
        checks.refuse(field, f"choose the {what} the item is for", code="missing-field")
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        checks.refuse(field, message)
        return None


async def _validated(
    conn: asyncpg.Connection,
    principal: Principal,
    claim: ClaimRow,
    kind: str,
    entry: ItemEntry,
    checks: Checks,
) -> Valid | None:
    """Every field checked (all refusals together); None when any is refused."""
    assert principal.organisation_id is not None
    description = checks.run(lambda: rules.description(entry.description))
    quantity = checks.run(lambda: rules.quantity(entry.quantity))
    level = None
    level_id = _id(entry.service_level_id, "service_level_id", NOT_CLAIMABLE, checks)
    if level_id is not None:
        level = await levels.usable(
            conn,
            scope=levels.level_scope(principal),
            organisation_id=principal.organisation_id,
            level_id=level_id,
            kind=kind,
            day=claim.claim_date,
        )
        if level is None:
            checks.refuse("service_level_id", NOT_CLAIMABLE, code="not-claimable")
    client = None
    if kind == "client":
        client_id = _id(entry.client_id, "client_id", NOT_PLACED, checks)
        if client_id is not None:
            client = await levels.placed_client(
                conn, scope=levels.placement_scope(principal), client_id=client_id, day=claim.claim_date
            )
            if client is None:
                checks.refuse("client_id", NOT_PLACED, code="not-placed")
    elif entry.client_id is not None and entry.client_id.strip():
        checks.refuse("client_id", "a provider item is for no child/client: leave it out")
    unit_cost = None
    if level is not None:
        found = level
        unit_cost = checks.run(lambda: rules.item_unit_cost(found.unit_cost, found.unit, entry.unit_cost))
    if description is None or quantity is None or level is None or unit_cost is None:
        return None
    if kind == "client" and client is None:
        return None
    return Valid(description, level, client, quantity, unit_cost, rules.amount(quantity, unit_cost))


async def _retotal(uow: UnitOfWork, principal: Principal, claim: ClaimRow) -> tuple[ClaimRow, list[ItemRow]]:
    """The claim's new total and version after a change of its items, and its items as they now are."""
    rows = await items.of_claim(uow.conn, scope=items.item_scope(principal), claim_id=claim.claim_id)
    summed = rules.claim_total(r.amount for r in rows)
    bumped = await claims.bump(
        uow.conn, scope=claims.claim_scope(principal), claim_id=claim.claim_id, total=summed
    )
    return bumped, rows


async def add_item(
    caller: Caller, work: Work, *, claim_id: uuid.UUID, kind: str | None, entry: ItemEntry, files: ClaimFiles
) -> ClaimState:
    """A client or provider item, with its file if one is sent."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, entry.version)
        checks = Checks()
        item_kind = checks.run(lambda: rules.item_kind(kind))
        valid = await _validated(uow.conn, principal, claim, item_kind, entry, checks) if item_kind else None
        upload = entry.attachment
        if upload is not None:
            checks.run(lambda: files.check(upload))
        present = await items.of_claim(uow.conn, scope=items.item_scope(principal), claim_id=claim_id)
        if len(present) >= rules.ITEMS_MAX:
            checks.refuse("items", f"a claim has at most {rules.ITEMS_MAX} items: start another claim")
        checks.raise_any()
        assert valid is not None and item_kind is not None
        item_id = uuid.uuid4()
        saved = (
            await files.save(uow.conn, principal, claim, item_id, entry.attachment)
            if entry.attachment
            else None
        )
        await items.add(
            uow.conn,
            item_id=item_id,
            claim_id=claim_id,
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            kind=item_kind,
            description=valid.description,
            level_id=valid.level.level_id,
            client_id=valid.client.client_id if valid.client else None,
            quantity=valid.quantity,
            unit_cost=valid.unit_cost,
            unit=valid.level.unit,
            amount=valid.amount,
            attachment_id=saved.attachment_id if saved else None,
        )
        done, rows = await _retotal(uow, principal, claim)
        await uow.audit(
            "claim_item_added",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=item_id,
            claim_id=claim_id,
            kind=item_kind,
            amount=str(valid.amount),
            attachment_id=saved.attachment_id if saved else None,
            version=done.version,
        )
        return claim_state(done, rows)


async def _item(
    conn: asyncpg.Connection, principal: Principal, claim_id: uuid.UUID, item_id: uuid.UUID
) -> ItemRow:
    found = await items.get(conn, scope=items.item_scope(principal), claim_id=claim_id, item_id=item_id)
    if found is None:
        raise NotFound.of("claim item")
    return found


async def change_item(
    caller: Caller,
    work: Work,
    *,
    claim_id: uuid.UUID,
    item_id: uuid.UUID,
    entry: ItemEntry,
    files: ClaimFiles,
) -> ClaimState:
    """The item as sent (its kind stays), and its file kept, replaced or removed."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, entry.version)
        item = await _item(uow.conn, principal, claim_id, item_id)
        checks = Checks()
        valid = await _validated(uow.conn, principal, claim, item.kind, entry, checks)
        upload, action = entry.attachment, entry.attachment_action
        if action not in ACTIONS:
            checks.refuse("attachment_action", "must be keep, replace or remove")
        elif action == "keep" and upload is not None and item.attachment_id is not None:
            checks.refuse("attachment", ONE_PER_ITEM, code="one-attachment-per-item")
        elif action == "replace" and upload is None:
            checks.refuse(
                "attachment", "choose the file to replace the attachment with", code="missing-field"
            )
        elif action == "remove" and upload is not None:
            checks.refuse("attachment", "you chose to remove the attachment: send no file with it")
        if upload is not None:
            checks.run(lambda: files.check(upload))
        checks.raise_any()
        assert valid is not None
        attachment_id = item.attachment_id
        if action in ("replace", "remove") and item.attachment_id is not None:
            await files.forget(uow.conn, principal, item.attachment_id)
            attachment_id = None
        if upload is not None:
            attachment_id = (await files.save(uow.conn, principal, claim, item_id, upload)).attachment_id
        await items.change(
            uow.conn,
            scope=items.item_scope(principal),
            item_id=item_id,
            description=valid.description,
            level_id=valid.level.level_id,
            client_id=valid.client.client_id if valid.client else None,
            quantity=valid.quantity,
            unit_cost=valid.unit_cost,
            unit=valid.level.unit,
            amount=valid.amount,
            attachment_id=attachment_id,
        )
        done, rows = await _retotal(uow, principal, claim)
        await uow.audit(
            "claim_item_changed",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=item_id,
            claim_id=claim_id,
            amount=str(valid.amount),
            attachment_action=action if (upload is not None or action != "keep") else "none",
            attachment_id=attachment_id,
            version=done.version,
        )
        return claim_state(done, rows)


async def remove_item(
    caller: Caller, work: Work, *, claim_id: uuid.UUID, item_id: uuid.UUID, version: int, files: ClaimFiles
) -> ClaimState:
    """The item gone, with its file."""
    principal = caller.principal
    require_editor(principal)
    async with work.begin(caller.actor) as uow:
        claim = await writable_claim(uow.conn, principal, claim_id, version)
        item = await _item(uow.conn, principal, claim_id, item_id)
        await items.remove(uow.conn, scope=items.item_scope(principal), item_id=item_id)
        if item.attachment_id is not None:
            await files.forget(uow.conn, principal, item.attachment_id)
        done, rows = await _retotal(uow, principal, claim)
        await uow.audit(
            "claim_item_removed",
            authority_id=claim.authority_id,
            organisation_id=claim.organisation_id,
            subject_id=item_id,
            claim_id=claim_id,
            version=done.version,
        )
        return claim_state(done, rows)


async def item_attachment(
    caller: Caller, work: Work, *, claim_id: uuid.UUID, item_id: uuid.UUID, files: ClaimFiles
) -> tuple[Attachment, bytes]:
    """The item's file, only through a claim and item the caller may see (404 otherwise)."""
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        await find_claim(conn, principal, claim_id)
        item = await _item(conn, principal, claim_id, item_id)
        if item.attachment_id is None:
            raise NotFound("this item has no attachment", code="no-attachment")
        return await files.read(conn, principal, item.attachment_id)
