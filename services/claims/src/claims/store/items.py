"""The items of a claim (claims.claim_item), read with what is shown beside them: the level's name and
reference, the client's reference and name, the attachment's name, type and size. Within the caller's
scope like the claim; the claim is locked by the writer before any of these."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg

from claims.store.records import ItemRow
from shared.auth import Principal
from shared.scoping import Columns
from shared.store import AnyScope, Scope, Unscoped, execute, fetch, fetch_one

ITEM_COLUMNS = Columns(authority="i.authority_id", organisation="i.organisation_id")
SELECT = """
    SELECT i.item_id, i.claim_id, i.kind, i.position, i.description, i.level_id,
           l.reference AS level_reference, l.name AS level_name, l.cost_code,
           i.client_id, cl.reference AS client_reference, cl.name AS client_name,
           i.quantity, i.unit_cost, i.unit, i.amount, i.attachment_id,
           a.filename AS attachment_filename, a.content_type AS attachment_content_type,
           a.size_bytes AS attachment_size, i.included, i.la_notes
      FROM claims.claim_item i
      JOIN claims.claimable_level l ON l.level_id = i.level_id
      LEFT JOIN claims.client cl ON cl.client_id = i.client_id
      LEFT JOIN claims.attachment a ON a.attachment_id = i.attachment_id
"""


def item_scope(principal: Principal) -> Scope:
    """As `claims.store.claims.claim_scope`: the organisation's rows, whatever the caller's contract."""
    return Scope.of(principal, ITEM_COLUMNS, organisation_rows=True)


async def of_claim(conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID) -> list[ItemRow]:
    """The claim's items, in the order they were added."""
    return await fetch(
        conn,
        ItemRow,
        SELECT + " WHERE i.claim_id = $1 AND {scope} ORDER BY i.kind, i.position, i.item_id",
        claim_id,
        scope=scope,
    )


async def get(
    conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID, item_id: uuid.UUID
) -> ItemRow | None:
    """The item if it is of that claim and within scope."""
    return await fetch_one(
        conn,
        ItemRow,
        SELECT + " WHERE i.item_id = $1 AND i.claim_id = $2 AND {scope}",
        item_id,
        claim_id,
        scope=scope,
    )


async def add(
    conn: asyncpg.Connection,
    *,
    item_id: uuid.UUID,
    claim_id: uuid.UUID,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    kind: str,
    description: str,
    level_id: uuid.UUID,
    client_id: uuid.UUID | None,
    quantity: Decimal,
    unit_cost: Decimal,
    unit: str,
    amount: Decimal,
    attachment_id: uuid.UUID | None,
) -> None:
    """A new last item of its kind."""
    await execute(
        conn,
        """
        INSERT INTO claims.claim_item (item_id, claim_id, authority_id, organisation_id, kind, position,
            description, level_id, client_id, quantity, unit_cost, unit, amount, attachment_id)
        SELECT $1, $2, $3, $4, $5,
               COALESCE((SELECT max(position) FROM claims.claim_item WHERE claim_id = $2 AND kind = $5), 0) + 1,
               $6, $7, $8, $9, $10, $11, $12, $13
        """,
        item_id,
        claim_id,
        authority_id,
        organisation_id,
        kind,
        description,
        level_id,
        client_id,
        quantity,
        unit_cost,
        unit,
        amount,
        attachment_id,
        scope=Unscoped("a new row: its claim was found and locked within the caller's scope, its ids copied"),
    )


async def change(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    item_id: uuid.UUID,
    description: str,
    level_id: uuid.UUID,
    client_id: uuid.UUID | None,
    quantity: Decimal,
    unit_cost: Decimal,
    unit: str,
    amount: Decimal,
    attachment_id: uuid.UUID | None,
) -> None:
    await execute(
        conn,
        """
        UPDATE claims.claim_item i
           SET description = $2, level_id = $3, client_id = $4, quantity = $5, unit_cost = $6, unit = $7,
               amount = $8, attachment_id = $9, updated_at = now()
         WHERE i.item_id = $1 AND {scope}
        """,
        item_id,
        description,
        level_id,
        client_id,
        quantity,
        unit_cost,
        unit,
        amount,
        attachment_id,
        scope=scope,
    )


async def remove(conn: asyncpg.Connection, *, scope: AnyScope, item_id: uuid.UUID) -> None:
    await execute(
        conn, "DELETE FROM claims.claim_item i WHERE i.item_id = $1 AND {scope}", item_id, scope=scope
    )


async def of_claims(conn: asyncpg.Connection, *, claim_ids: list[uuid.UUID]) -> list[ItemRow]:
    """The items of several claims, each claim's in the order `of_claim` gives them: for a backfill
    (claims.republishing), claims' own work for the other services, never a caller's."""
    return await fetch(
        conn,
        ItemRow,
        SELECT + " WHERE i.claim_id = ANY($1::uuid[]) ORDER BY i.claim_id, i.kind, i.position, i.item_id",
        claim_ids,
        scope=Unscoped("a backfill re-publishes every authority's decided claims, never a caller's"),
    )
